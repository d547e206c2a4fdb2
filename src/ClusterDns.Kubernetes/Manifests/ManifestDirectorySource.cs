using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

using ClusterDns.Kubernetes.Manifests;

namespace ClusterDns.Kubernetes;

/// <summary>
/// Serves the objects in the *.yaml, *.yml and *.json files of one directory (not its subdirectories),
/// and follows changes to those files: a FileSystemWatcher triggers a rescan after a short debounce, and a
/// periodic rescan catches what the watcher misses (network and overlay filesystems). Each rescan diffs
/// by key and content against what was emitted, so only real changes reach the consumer.
/// </summary>
public sealed partial class ManifestDirectorySource : IClusterSource
{
    private static readonly ResourceKind[] AllKinds =
        [ResourceKind.Service, ResourceKind.EndpointSlice, ResourceKind.Pod, ResourceKind.Namespace, ResourceKind.ServiceImport, ResourceKind.MulticlusterEndpointSlice];

    private readonly string _directory;
    private readonly ILogger _logger;
    private readonly TimeSpan _rescanInterval;
    private readonly TimeSpan _debounce;

    /// <summary>Each object passed on, with the time it was (explain); locked on itself.</summary>
    private readonly Dictionary<(ResourceKind, string), KnownObject> _arrivals = new();

    public ManifestDirectorySource(string directory, ILogger? logger = null)
        : this(directory, logger, TimeSpan.FromSeconds(2), TimeSpan.FromMilliseconds(100))
    {
    }

    internal ManifestDirectorySource(string directory, ILogger? logger, TimeSpan rescanInterval, TimeSpan debounce)
    {
        _directory = Path.GetFullPath(directory);
        _logger = logger ?? NullLogger.Instance;
        _rescanInterval = rescanInterval;
        _debounce = debounce;
    }

    public IReadOnlyCollection<ResourceKind> Kinds => AllKinds;

    /// <summary>Loads every manifest of a directory once: the objects (slim models) and the errors met.</summary>
    public static (IReadOnlyList<object> Objects, IReadOnlyList<string> Errors) LoadDirectory(string path, ILogger? logger = null)
    {
        var (entries, errors) = Load(path, logger ?? NullLogger.Instance, cache: null);
        var objects = new List<object>(entries.Count);
        foreach (var entry in entries.Values) objects.Add(entry.Object);
        return (objects, errors);
    }

    public async Task RunAsync(ChannelWriter<ClusterChange> changes, CancellationToken ct)
    {
        var rescan = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
        using var watcher = TryCreateWatcher(() => rescan.Writer.TryWrite(true));
        var emitted = new Dictionary<(ResourceKind, string), ManifestEntry>();
        var synced = false;
        var reportedErrors = new List<string>();
        var cache = new Dictionary<string, CachedFile>(StringComparer.Ordinal);

        while (true)
        {
            var (entries, errors) = Load(_directory, _logger, cache);
            if (!errors.SequenceEqual(reportedErrors))
            {
                // Logged once per change of the error set, not on every periodic rescan.
                foreach (var error in errors) LogBadDocument(_logger, error);
                reportedErrors = errors;
            }

            await EmitDifferenceAsync(emitted, entries, changes, ct).ConfigureAwait(false);
            emitted = entries;

            if (!synced)
            {
                foreach (var kind in AllKinds) await changes.WriteAsync(ClusterChange.Synced(kind), ct).ConfigureAwait(false);
                synced = true;
            }

            if (await WaitForRescanAsync(rescan.Reader, ct).ConfigureAwait(false))
            {
                // The watcher saw a change: read every file again rather than trust timestamps.
                cache.Clear();
            }
        }
    }

    /// <summary>Waits for a watcher event (true) or the periodic rescan (false).</summary>
    private async Task<bool> WaitForRescanAsync(ChannelReader<bool> rescan, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(_rescanInterval);
        try
        {
            await rescan.ReadAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return false; // Periodic rescan.
        }

        // Editors write a file in several steps; let them finish, then take every event of the burst at once.
        await Task.Delay(_debounce, ct).ConfigureAwait(false);
        while (rescan.TryRead(out _))
        {
        }
        return true;
    }

    public bool TryGetKnown(ResourceKind kind, string key, out KnownObject known)
    {
        lock (_arrivals)
        {
            return _arrivals.TryGetValue((kind, key), out known);
        }
    }

    private async ValueTask EmitDifferenceAsync(Dictionary<(ResourceKind, string), ManifestEntry> before,
        Dictionary<(ResourceKind, string), ManifestEntry> after, ChannelWriter<ClusterChange> changes, CancellationToken ct)
    {
        foreach (var (id, entry) in before)
        {
            if (!after.ContainsKey(id))
            {
                await changes.WriteAsync(ClusterChange.Delete(entry.Kind, entry.Key), ct).ConfigureAwait(false);
                lock (_arrivals) _arrivals.Remove(id);
            }
        }

        foreach (var (id, entry) in after)
        {
            if (!before.TryGetValue(id, out var old) || old.Fingerprint != entry.Fingerprint)
            {
                await changes.WriteAsync(ClusterChange.Upsert(entry.Kind, entry.Key, entry.Object), ct).ConfigureAwait(false);
                lock (_arrivals) _arrivals[id] = KnownObject.Now(VersionOf(entry.Object));
            }
        }
    }

    private static string VersionOf(object obj) => obj switch
    {
        ServiceObject service => service.ResourceVersion,
        EndpointSliceObject slice => slice.ResourceVersion,
        PodObject pod => pod.ResourceVersion,
        NamespaceObject ns => ns.ResourceVersion,
        _ => "",
    };

    /// <summary>A file's parse, kept while its size and modification time stay the same (periodic rescans).</summary>
    private sealed record CachedFile(long Length, DateTime LastWriteUtc, List<ManifestEntry> Entries, List<string> Errors);

    private static (Dictionary<(ResourceKind, string), ManifestEntry> Entries, List<string> Errors) Load(string directory, ILogger logger,
        Dictionary<string, CachedFile>? cache)
    {
        var list = new List<ManifestEntry>();
        var errors = new List<string>();
        string[] files;
        try
        {
            files = Directory.GetFiles(directory);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
            errors.Add($"{directory}: cannot list directory: {ex.Message}");
            files = [];
        }

        Array.Sort(files, StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var file in files)
        {
            if (!ManifestFileReader.IsManifestFile(file)) continue;
            if (cache is null)
            {
                ManifestFileReader.ReadFile(file, list, errors, logger);
                continue;
            }
            seen.Add(file);
            var info = new FileInfo(file);
            if (!cache.TryGetValue(file, out var cached) || cached.Length != info.Length || cached.LastWriteUtc != info.LastWriteTimeUtc)
            {
                // Re-parse only what changed: at 10k Services re-reading everything every 2 s cost a fifth of a core.
                var fileEntries = new List<ManifestEntry>();
                var fileErrors = new List<string>();
                ManifestFileReader.ReadFile(file, fileEntries, fileErrors, logger);
                cached = new CachedFile(info.Length, info.LastWriteTimeUtc, fileEntries, fileErrors);
                cache[file] = cached;
            }
            list.AddRange(cached.Entries);
            errors.AddRange(cached.Errors);
        }
        if (cache is not null)
        {
            foreach (var gone in cache.Keys.Where(k => !seen.Contains(k)).ToArray())
            {
                cache.Remove(gone);
            }
        }

        // The same object in two files: the later file (by name) wins, as if applied in order.
        var entries = new Dictionary<(ResourceKind, string), ManifestEntry>();
        foreach (var entry in list) entries[(entry.Kind, entry.Key)] = entry;
        return (entries, errors);
    }

    private FileSystemWatcher? TryCreateWatcher(Action changed)
    {
        try
        {
            var watcher = new FileSystemWatcher(_directory)
            {
                IncludeSubdirectories = false,
                NotifyFilter = NotifyFilters.FileName | NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.CreationTime,
            };
            watcher.Created += (_, _) => changed();
            watcher.Changed += (_, _) => changed();
            watcher.Deleted += (_, _) => changed();
            watcher.Renamed += (_, _) => changed();
            watcher.Error += (_, _) => changed();
            watcher.EnableRaisingEvents = true;
            return watcher;
        }
        catch (Exception ex) when (ex is IOException or ArgumentException or PlatformNotSupportedException or UnauthorizedAccessException)
        {
            LogWatcherUnavailable(_logger, _directory, ex.Message);
            return null;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Skipping bad manifest: {Error}")]
    private static partial void LogBadDocument(ILogger logger, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cannot watch {Directory} ({Reason}); relying on the periodic rescan")]
    private static partial void LogWatcherUnavailable(ILogger logger, string directory, string reason);
}
