using System.Security.Cryptography;
using System.Text;

namespace ClusterDns.Server.Plugins.Hosts;

/// <summary>Reads a hosts file and builds the index (inline entries first, then the file's).</summary>
internal static class HostsFileLoader
{
    /// <summary>
    /// The index, a hash of the file (null when it could not be read) and how many file lines were skipped.
    /// A missing file is an empty file (CoreDNS keeps serving the inline entries), not an error.
    /// </summary>
    public sealed record Loaded(HostsIndex Index, byte[]? ContentHash, int SkippedLines, string? ReadError);

    public static Loaded Load(HostsOptions options)
    {
        byte[]? bytes = null;
        string? readError = null;
        try
        {
            bytes = File.ReadAllBytes(options.Path);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            readError = $"{options.Path}: {exception.Message}";
        }
        return Build(options, bytes, readError);
    }

    public static Loaded Build(HostsOptions options, byte[]? bytes, string? readError)
    {
        var entries = new List<HostsEntry>(options.Inline);
        int skipped = 0;
        if (bytes is not null)
        {
            using var reader = new StringReader(Encoding.UTF8.GetString(bytes));
            while (reader.ReadLine() is { } line)
            {
                // Hosts files hold lines other tools wrote; CoreDNS skips what it cannot read, and so do we.
                if (!HostsEntry.TryParse(line, out var entry, out _))
                {
                    skipped++;
                }
                else if (entry is not null)
                {
                    entries.Add(entry);
                }
            }
        }
        var index = HostsIndex.Build(entries, options.Zones, reverse: !options.NoReverse);
        return new Loaded(index, bytes is null ? null : SHA256.HashData(bytes), skipped, readError);
    }
}
