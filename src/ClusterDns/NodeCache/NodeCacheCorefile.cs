using ClusterDns.Migration;

namespace ClusterDns.NodeCache;

/// <summary>
/// The Corefile node-cache writes to <c>-conf</c>: the template filled from the kube-dns ConfigMap folder, written
/// again whenever the template or the folder changes (the Corefile's <c>reload</c> then swaps it in, as in
/// node-cache). A folder that does not read leaves the last good Corefile in place.
/// </summary>
internal sealed class NodeCacheCorefile(NodeCacheOptions options, string? clusterDnsIP)
{
    private static readonly KubeDnsConfig NoConfig = new([], []);

    private string? _lastInput;
    private string? _lastError;

    /// <summary>What was written last (for the log and the tests).</summary>
    public string? Written { get; private set; }

    /// <summary>
    /// Renders and writes when the inputs changed. Returns null on success (also when nothing changed), else the
    /// reason naming the file; a ConfigMap that does not read still renders the template without it the first time.
    /// </summary>
    public string? Update()
    {
        string template;
        try
        {
            template = File.ReadAllText(options.BaseCorefile);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return $"-basecorefile: cannot read {options.BaseCorefile}: {exception.Message}";
        }

        var config = NoConfig;
        string folderText = string.Empty;
        string? problem = null;
        if (options.KubeDnsConfigFolder is { } folder)
        {
            if (KubeDnsConfigFolder.TryRead(folder, out var read, out folderText, out string? error))
            {
                config = read;
            }
            else if (Written is not null)
            {
                // Reported once per distinct problem, not every poll; the last good Corefile keeps serving.
                return error == _lastError ? null : _lastError = error;
            }
            else
            {
                problem = error;
            }
        }

        string input = template + "\0\0" + folderText + (problem ?? string.Empty);
        if (input == _lastInput)
        {
            return null;
        }

        string corefile = CorefileTemplate.Render(template, config, options, clusterDnsIP);
        try
        {
            // Written beside and renamed over, so a reload never reads half a file.
            string temporary = options.Corefile + ".tmp";
            File.WriteAllText(temporary, corefile);
            File.Move(temporary, options.Corefile, overwrite: true);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return $"-conf: cannot write {options.Corefile}: {exception.Message}";
        }
        _lastInput = input;
        _lastError = problem;
        Written = corefile;
        return problem;
    }
}
