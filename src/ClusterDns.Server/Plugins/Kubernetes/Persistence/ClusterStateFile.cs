using System.Security.Cryptography;
using System.Text;
using ClusterDns.Kubernetes;
using Microsoft.Extensions.Logging;
using ClusterDns.Server.Plugins.Kubernetes.Building;
using ClusterDns.Server.Plugins.Kubernetes.Index;
using ClusterDns.Server.Plugins.Kubernetes.Options;
using ClusterDns.Server.Plugins.Kubernetes.Services;

namespace ClusterDns.Server.Plugins.Kubernetes.Persistence;

/// <summary>
/// Our extension <c>kubernetes { snapshot FILE }</c>, the cluster state file: the last synced cluster objects on
/// disk, so that a restarted replica answers from them before the API server is reachable. (In this code base
/// "snapshot" names only this option; the in-memory zone is the published <see cref="ClusterIndex"/>.) The image
/// is <see cref="ClusterStateFormat"/>'s; it is written after changes, debounced, to a temporary file renamed
/// over the old one. A file that is corrupt, truncated, of an earlier format or from another zone
/// configuration is ignored with a warning.
/// </summary>
public sealed partial class ClusterStateFile
{
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _changed = new(0, 1);
    private Func<ClusterState?>? _pending;
    private CancellationTokenSource? _stopping;
    private Task _saving = Task.CompletedTask;

    public ClusterStateFile(string path, string optionsHash, ILogger logger, TimeSpan? debounce = null)
    {
        Path = path;
        OptionsHash = optionsHash;
        _logger = logger;
        Debounce = debounce ?? TimeSpan.FromSeconds(1);
    }

    public string Path { get; }

    public string OptionsHash { get; }

    /// <summary>Changes arriving within this time after the first are written together.</summary>
    public TimeSpan Debounce { get; }

    /// <summary>Raised after the file was replaced (tests await it).</summary>
    public event Action? Saved;

    /// <summary>A hash of the options that decide which objects exist and what records they make.</summary>
    public static string HashOptions(KubernetesOptions options)
    {
        var text = new StringBuilder();
        text.Append("zones=").AppendJoin(',', options.Zones.Select(z => z.ToString())).Append('\n');
        text.Append("namespaces=").AppendJoin(',', options.Namespaces.Order(StringComparer.Ordinal)).Append('\n');
        text.Append("namespace_labels=").Append(options.NamespaceLabels).Append('\n');
        text.Append("labels=").Append(options.Labels).Append('\n');
        text.Append("pods=").Append(options.Pods).Append('\n');
        text.Append("endpoint_pod_names=").Append(options.EndpointPodNames).Append('\n');
        text.Append("noendpoints=").Append(options.NoEndpoints).Append('\n');
        text.Append("ignore_empty_service=").Append(options.IgnoreEmptyService).Append('\n');
        text.Append("endpoint=").Append(options.Endpoint).Append('\n');
        text.Append("kubeconfig=").Append(options.KubeConfigPath).Append(' ').Append(options.KubeConfigContext).Append('\n');
        text.Append("manifests=").Append(options.ManifestsDirectory).Append('\n');
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    /// <summary>The SOA serial the loaded file was saved with (0 before a load).</summary>
    public uint LoadedSerial { get; private set; }

    /// <summary>
    /// Opens the file and returns its objects as upserts, decoded one at a time while the caller enumerates them,
    /// then one <see cref="ChangeType.Synced"/> per kind in <paramref name="kinds"/>. Null when there is no usable
    /// file (missing: silently; corrupt or foreign: with a warning). Where the contents stop decoding, the warning
    /// is logged and the sequence ends there, without the Synced changes: the objects before it are answered but
    /// the zone is not synced from the file, so the source's first list confirms or deletes them.
    /// </summary>
    public IEnumerable<ClusterChange>? TryLoad(IEnumerable<ResourceKind> kinds)
    {
        byte[] bytes;
        try
        {
            if (!File.Exists(Path))
            {
                return null;
            }
            bytes = File.ReadAllBytes(Path);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            LogIgnored(_logger, Path, exception.Message);
            return null;
        }
        if (!ClusterStateFormat.TryOpen(bytes, OptionsHash, out var opened, out var problem))
        {
            LogIgnored(_logger, Path, problem!);
            return null;
        }
        LoadedSerial = opened!.Serial;
        return Changes(opened, kinds.ToArray());
    }

    private IEnumerable<ClusterChange> Changes(ClusterStateImage opened, ResourceKind[] kinds)
    {
        var counts = new Dictionary<ResourceKind, int>();
        using var objects = opened.Objects().GetEnumerator();
        while (true)
        {
            object obj;
            string? problem = null;
            try
            {
                if (!objects.MoveNext())
                {
                    break;
                }
                obj = objects.Current;
            }
            catch (Exception exception) when (ClusterStateFormat.IsDecodeError(exception))
            {
                obj = null!;
                problem = ClusterStateFormat.DecodeProblem(exception);
            }
            if (problem is not null)
            {
                LogIgnored(_logger, Path, problem + $" (after {counts.Values.Sum()} objects, served until the source lists them)");
                yield break;
            }
            var (kind, key) = obj switch
            {
                NamespaceObject n => (ResourceKind.Namespace, n.Key),
                ServiceObject service => (ResourceKind.Service, service.Key),
                EndpointSliceObject slice => (ResourceKind.EndpointSlice, slice.Key),
                _ => (ResourceKind.Pod, ((PodObject)obj).Key),
            };
            counts[kind] = counts.GetValueOrDefault(kind) + 1;
            yield return ClusterChange.Upsert(kind, key, obj);
        }
        LogLoaded(_logger, Path, counts.GetValueOrDefault(ResourceKind.Service), counts.GetValueOrDefault(ResourceKind.EndpointSlice),
            counts.GetValueOrDefault(ResourceKind.Pod), counts.GetValueOrDefault(ResourceKind.Namespace));
        foreach (var kind in kinds)
        {
            yield return ClusterChange.Synced(kind);
        }
    }

    public void Start()
    {
        _stopping = new CancellationTokenSource();
        var token = _stopping.Token;
        _saving = Task.Run(() => SaveLoopAsync(token), CancellationToken.None);
    }

    /// <summary>Asks for <paramref name="objects"/> to be written (the latest request wins; debounced).</summary>
    public void Schedule(ClusterState objects) => Schedule(() => objects);

    /// <summary>
    /// Asks for the objects to be written: <paramref name="capture"/> copies them when the write happens (on the
    /// saving task, after the debounce), so a burst of changes costs one copy, not one per change (copying
    /// 100,000 Services at every publish cost seconds of CPU per list). A capture that returns null has nothing
    /// consistent to give now: nothing is written, and the caller schedules again.
    /// </summary>
    public void Schedule(Func<ClusterState?> capture)
    {
        Volatile.Write(ref _pending, capture);
        if (_changed.CurrentCount == 0)
        {
            try
            {
                _changed.Release();
            }
            catch (SemaphoreFullException)
            {
                // Already signalled.
            }
        }
    }

    /// <summary>Stops the writer, writing what is still pending first.</summary>
    public async Task StopAsync()
    {
        if (_stopping is null)
        {
            return;
        }
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _saving.ConfigureAwait(false);
        _stopping.Dispose();
        _stopping = null;
        SavePending();
    }

    private async Task SaveLoopAsync(CancellationToken token)
    {
        try
        {
            while (true)
            {
                await _changed.WaitAsync(token).ConfigureAwait(false);
                await Task.Delay(Debounce, token).ConfigureAwait(false);
                SavePending();
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
        }
    }

    private void SavePending()
    {
        var capture = Interlocked.Exchange(ref _pending, null);
        if (capture is null)
        {
            return;
        }
        string temporary = Path + ".tmp-" + Guid.NewGuid().ToString("N");
        try
        {
            if (capture() is not { } objects)
            {
                return;
            }
            var directory = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(Path));
            if (directory is not null)
            {
                Directory.CreateDirectory(directory);
            }
            using (var file = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                ClusterStateFormat.EncodeTo(file, objects, OptionsHash);
                file.Flush(flushToDisk: true);
            }
            File.Move(temporary, Path, overwrite: true);
            Saved?.Invoke();
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or ArgumentException)
        {
            // ArgumentException: an object past the layout's limits (a 64 KiB label value); the old file stays.
            LogSaveFailed(_logger, exception, Path);
            TryDelete(temporary);
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
        }
    }

    [LoggerMessage(EventId = 320, Level = LogLevel.Warning, Message = "Cluster snapshot {Path} ignored: {Problem}")]
    private static partial void LogIgnored(ILogger logger, string path, string problem);

    [LoggerMessage(EventId = 321, Level = LogLevel.Information, Message = "Cluster snapshot {Path} loaded: {Services} services, {Slices} endpoint slices, {Pods} pods, {Namespaces} namespaces; answering from it until the source syncs")]
    private static partial void LogLoaded(ILogger logger, string path, int services, int slices, int pods, int namespaces);

    [LoggerMessage(EventId = 322, Level = LogLevel.Warning, Message = "Writing the cluster snapshot {Path} failed")]
    private static partial void LogSaveFailed(ILogger logger, Exception exception, string path);
}
