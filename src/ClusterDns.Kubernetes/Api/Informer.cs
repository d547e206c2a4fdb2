using System.Net;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using ClusterDns.Kubernetes.Conversion;
using Microsoft.Extensions.Logging;

namespace ClusterDns.Kubernetes.Api;

/// <summary>
/// Keeps one resource kind in step with the API server: paginated list, then watch from the list's
/// resourceVersion; a dropped watch resumes from the last version seen, an expired one (410) relists and
/// reconciles. It remembers key → resourceVersion and the time the object arrived (for <c>explain</c>), never
/// whole objects.
/// </summary>
internal sealed partial class Informer(
    ResourceKind kind,
    HttpClient http,
    ApiServerSourceOptions options,
    ILogger logger,
    InformerStatus status)
{
    /// <summary>What the consumer was told of; written under <see cref="_knownGate"/> (read by <see cref="TryGetKnown"/>).</summary>
    private Dictionary<string, KnownObject> _known = new(StringComparer.Ordinal);
    private readonly Lock _knownGate = new();
    private readonly HashSet<string>? _namespaces = options.Namespaces.Count > 0 ? new HashSet<string>(options.Namespaces, StringComparer.Ordinal) : null;
    private readonly string? _selector = SelectorFor(kind, options);
    private string? _resourceVersion;

    /// <summary>The resource answered 404 (a CRD not installed): listed again with backoff until it exists.</summary>
    private bool _absent;

    /// <summary>The most a server's remainingItemCount may reserve in advance (a bogus count must not allocate gigabytes).</summary>
    private const long MaxPresize = 2_000_000;

    private static string? SelectorFor(ResourceKind kind, ApiServerSourceOptions options) => kind switch
    {
        ResourceKind.Namespace => options.NamespaceLabelSelector,
        // ServiceImports carry no labels of the operator's choosing; their slices are found by the KEP-1645 label.
        ResourceKind.ServiceImport => null,
        ResourceKind.MulticlusterEndpointSlice => string.IsNullOrEmpty(options.LabelSelector)
            ? ResourcePaths.MulticlusterServiceNameLabel
            : ResourcePaths.MulticlusterServiceNameLabel + "," + options.LabelSelector,
        _ => options.LabelSelector,
    };

    public ResourceKind Kind => kind;

    /// <summary>The resourceVersion the next watch starts from (tests observe bookmarks through it).</summary>
    public string? ResourceVersion => _resourceVersion;

    /// <summary>The resourceVersion and arrival time of an object the consumer was told of; false when unknown.</summary>
    public bool TryGetKnown(string key, out KnownObject known)
    {
        lock (_knownGate)
        {
            return _known.TryGetValue(key, out known);
        }
    }

    public async Task RunAsync(ChannelWriter<ClusterChange> changes, CancellationToken ct)
    {
        var backoff = new Backoff(options.InitialBackoff, options.MaxBackoff);
        var needList = true;
        int expiredInARow = 0;
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            try
            {
                if (needList)
                {
                    await ListAsync(changes, ct).ConfigureAwait(false);
                    needList = false;
                    expiredInARow = 0;
                    if (status.MarkSynced(kind)) await changes.WriteAsync(ClusterChange.Synced(kind, _resourceVersion), ct).ConfigureAwait(false);
                    else HeapCompaction.AfterBulkWork(_known.Count); // a relist; the first list's collections are the zone writer's
                }

                status.ReportHealthy(kind);
                var started = TimeProvider.System.GetTimestamp();
                var versionAtStart = _resourceVersion;
                await WatchAsync(changes, ct).ConfigureAwait(false);
                LogWatchEnded(logger, kind, _resourceVersion);
                if (_resourceVersion == versionAtStart && TimeProvider.System.GetElapsedTime(started) < TimeSpan.FromSeconds(1))
                {
                    // A server that ends every watch at once must not be hammered in a tight loop.
                    await Task.Delay(backoff.Next(), ct).ConfigureAwait(false);
                }
                else
                {
                    backoff.Reset();
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                throw;
            }
            catch (ApiException ex) when (ex.Status == HttpStatusCode.NotFound && ResourcePaths.MayBeAbsent(kind))
            {
                await OnAbsentAsync(changes, ct).ConfigureAwait(false);
                needList = true;
                // Not an error: the CRD may be installed later. Look again, backing off to MaxBackoff (30 s).
                await Task.Delay(backoff.Next(), ct).ConfigureAwait(false);
            }
            catch (ApiException ex) when (ex.IsExpired)
            {
                LogExpired(logger, kind, ex.Message);
                needList = true;
                // The first expiry relists at once: the server answered, so it is up, whatever failed before (an
                // API server back from a restart with compacted history must not wait out the backoff its
                // absence built up: the fault soak saw 30 s of stale answers). Repeated ones back off.
                if (expiredInARow++ == 0) backoff.Reset();
                else await Task.Delay(backoff.Next(), ct).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not ChannelClosedException)
            {
                // Network, HTTP, JSON or unforeseen: the informer never gives up, it backs off and tries again.
                var delay = backoff.Next();
                status.ReportError(kind, $"{kind}: {ex.Message}");
                LogRetry(logger, kind, ex.Message, delay.TotalMilliseconds);
                await Task.Delay(delay, ct).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// The resource does not exist: said once, then it counts as listed (empty) and live, so that readiness and
    /// <c>stale_after</c> do not wait for a CRD that may never come; objects seen before it went are deleted.
    /// </summary>
    private async Task OnAbsentAsync(ChannelWriter<ClusterChange> changes, CancellationToken ct)
    {
        if (!_absent)
        {
            _absent = true;
            LogAbsent(logger, kind, ResourcePaths.For(kind));
        }
        string[] gone;
        lock (_knownGate)
        {
            gone = [.. _known.Keys];
            _known.Clear();
        }
        foreach (var key in gone)
        {
            await changes.WriteAsync(ClusterChange.Delete(kind, key), ct).ConfigureAwait(false);
        }
        _resourceVersion = null;
        status.ReportHealthy(kind);
        status.ReportWatchOpen(kind);
        status.ReportEvent(kind);
        if (status.MarkSynced(kind)) await changes.WriteAsync(ClusterChange.Synced(kind), ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Lists every page, upserts what is new or changed, then deletes what the list no longer holds. The next page
    /// is asked for as soon as this page's continue token is read, so the API server prepares it while this one is
    /// converted (100k Services: the server's ~4 ms a page and our ~6 ms overlap instead of adding up).
    /// </summary>
    private async Task ListAsync(ChannelWriter<ClusterChange> changes, CancellationToken ct)
    {
        // A relist expects about what it knew; the first list learns the size from the first page's
        // remainingItemCount. Sized once, these maps do not leave a trail of outgrown arrays (at 100,000
        // Services each doubling sheds megabytes onto the large-object heap during start-up).
        var seen = new Dictionary<string, KnownObject>(_known.Count, StringComparer.Ordinal);
        ListPage page;
        PageRequest? current = RequestPage(null, ct);
        PageRequest? next = null;
        try
        {
            do
            {
                using (current)
                {
                    using var response = await current.Response.ConfigureAwait(false);
                    await using var body = await response.Content.ReadAsStreamAsync(current.Timeout.Token).ConfigureAwait(false);
                    page = await ListResponseReader.ReadAsync(body, item => OnListItemAsync(item, seen, changes, ct), current.Timeout.Token,
                        metadata => next ??= metadata.Continue is { } token ? RequestPage(token, ct) : null).ConfigureAwait(false);
                }
                // A server that writes its metadata after the items: the next page is asked for now.
                if (page.Continue is not null) next ??= RequestPage(page.Continue, ct);
                if (page.RemainingItemCount is > 0 and <= MaxPresize)
                {
                    int expected = seen.Count + (int)page.RemainingItemCount.Value;
                    seen.EnsureCapacity(expected);
                    // The first list fills _known as it goes too; a relist's _known is already about this size.
                    if (_resourceVersion is null) lock (_knownGate) _known.EnsureCapacity(expected);
                }
                current = next;
                next = null;
            }
            while (current is not null);
        }
        finally
        {
            // A page that failed leaves the one asked for after it: cancel it and let its connection go.
            await AbandonAsync(current).ConfigureAwait(false);
            await AbandonAsync(next).ConfigureAwait(false);
        }

        // Only this informer's task writes _known: it reads without the lock, and locks to write (explain reads).
        foreach (var key in _known.Keys)
        {
            if (!seen.ContainsKey(key)) await changes.WriteAsync(ClusterChange.Delete(kind, key, page.ResourceVersion), ct).ConfigureAwait(false);
        }

        // What this list saw is what is known now: the map itself is kept, not copied.
        lock (_knownGate) _known = seen;
        _resourceVersion = page.ResourceVersion;
        if (_absent)
        {
            _absent = false;
            LogAppeared(logger, kind);
        }
        status.ReportEvent(kind);
        LogListed(logger, kind, seen.Count, _resourceVersion);
    }

    private async ValueTask OnListItemAsync(JsonElement item, Dictionary<string, KnownObject> seen, ChannelWriter<ClusterChange> changes, CancellationToken ct)
    {
        if (!IsWanted(item)) return;
        if (!ObjectConverter.TryConvert(kind, item, out var converted, out var error))
        {
            LogBadObject(logger, kind, error);
            return;
        }

        if (_known.TryGetValue(converted.Key, out var known) && converted.ResourceVersion.Length > 0 && known.HasVersion(converted.ResourceVersion))
        {
            seen[converted.Key] = known; // unchanged since the consumer was told: it arrived then
            return;
        }
        var arrived = KnownObject.Now(converted.ResourceVersion);
        seen[converted.Key] = arrived;
        await changes.WriteAsync(ClusterChange.Upsert(kind, converted.Key, converted.Object), ct).ConfigureAwait(false);
        // Known from the moment the consumer is told: a list that fails after this page (an expired continue
        // token, the API server going away) must not leave the object outside the next complete list's deletes.
        lock (_knownGate) _known[converted.Key] = arrived;
    }

    private async Task WatchAsync(ChannelWriter<ClusterChange> changes, CancellationToken ct)
    {
        var seconds = (int)(options.WatchTimeout.TotalSeconds * (1 + Random.Shared.NextDouble()));
        seconds = Math.Max(seconds, 1);
        var query = new StringBuilder("?watch=true&allowWatchBookmarks=true&timeoutSeconds=").Append(seconds);
        if (_resourceVersion is not null) query.Append("&resourceVersion=").Append(Uri.EscapeDataString(_resourceVersion));
        AppendSelector(query);

        // A half-open connection never ends by itself: give up when the server is silent well past its own timeout.
        var idleLimit = TimeSpan.FromSeconds(seconds) + TimeSpan.FromSeconds(30);
        using var idle = CancellationTokenSource.CreateLinkedTokenSource(ct);
        idle.CancelAfter(idleLimit);
        using var response = await SendAsync(query.ToString(), idle.Token).ConfigureAwait(false);
        status.ReportWatchOpen(kind);
        try
        {
            await using var body = await response.Content.ReadAsStreamAsync(idle.Token).ConfigureAwait(false);
            await WatchStreamReader.ReadAsync(body, e => OnWatchEventAsync(e, changes, ct), () => idle.CancelAfter(idleLimit), idle.Token).ConfigureAwait(false);
        }
        finally
        {
            status.ReportWatchClosed(kind);
        }
    }

    private async ValueTask OnWatchEventAsync(WatchEvent watchEvent, ChannelWriter<ClusterChange> changes, CancellationToken ct)
    {
        var obj = watchEvent.Object;
        if (watchEvent.Type != "ERROR") status.ReportEvent(kind);
        switch (watchEvent.Type)
        {
            case "ADDED" or "MODIFIED":
                AdvanceVersion(obj);
                if (!IsWanted(obj)) return;
                if (ObjectConverter.TryConvert(kind, obj, out var converted, out var error))
                {
                    lock (_knownGate) _known[converted.Key] = KnownObject.Now(converted.ResourceVersion);
                    await changes.WriteAsync(ClusterChange.Upsert(kind, converted.Key, converted.Object), ct).ConfigureAwait(false);
                }
                else
                {
                    LogBadObject(logger, kind, error);
                    // The object we served is no longer what the cluster holds; stop serving it.
                    if (ObjectConverter.KeyOf(kind, obj) is { } badKey && Forget(badKey))
                    {
                        await changes.WriteAsync(ClusterChange.Delete(kind, badKey), ct).ConfigureAwait(false);
                    }
                }

                break;
            case "DELETED":
                AdvanceVersion(obj);
                if (ObjectConverter.KeyOf(kind, obj) is { } key && Forget(key))
                {
                    await changes.WriteAsync(ClusterChange.Delete(kind, key, ObjectConverter.ResourceVersionOf(obj)), ct).ConfigureAwait(false);
                }

                break;
            case "BOOKMARK":
                AdvanceVersion(obj);
                break;
            case "ERROR":
                var code = JsonFields.GetInteger(obj, "code");
                var message = JsonFields.GetString(obj, "message") ?? "watch error";
                throw new ApiException(code is { } c ? (HttpStatusCode)c : null, $"watch error {code}: {message}");
            default:
                LogUnknownEvent(logger, kind, watchEvent.Type);
                break;
        }
    }

    private bool Forget(string key)
    {
        lock (_knownGate)
        {
            return _known.Remove(key);
        }
    }

    private void AdvanceVersion(JsonElement obj)
    {
        if (ObjectConverter.ResourceVersionOf(obj) is { Length: > 0 } version) _resourceVersion = version;
    }

    private bool IsWanted(JsonElement obj)
    {
        if (_namespaces is null) return true;
        var field = kind == ResourceKind.Namespace ? "name" : "namespace";
        return JsonFields.Get(obj, "metadata") is { } metadata && JsonFields.GetString(metadata, field) is { } ns && _namespaces.Contains(ns);
    }

    private void AppendSelector(StringBuilder query)
    {
        if (!string.IsNullOrEmpty(_selector)) query.Append("&labelSelector=").Append(Uri.EscapeDataString(_selector));
    }

    /// <summary>Asks for one list page (the first when <paramref name="continueToken"/> is null), with its own timeout.</summary>
    private PageRequest RequestPage(string? continueToken, CancellationToken ct)
    {
        var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(options.RequestTimeout);
        var query = new StringBuilder("?limit=").Append(options.PageSize);
        if (continueToken is not null) query.Append("&continue=").Append(Uri.EscapeDataString(continueToken));
        AppendSelector(query);
        return new PageRequest(SendAsync(query.ToString(), timeout.Token), timeout);
    }

    private static async Task AbandonAsync(PageRequest? request)
    {
        if (request is null || request.Disposed) return;
        await request.Timeout.CancelAsync().ConfigureAwait(false);
        try
        {
            (await request.Response.ConfigureAwait(false)).Dispose();
        }
        catch (Exception ex) when (ex is OperationCanceledException or HttpRequestException or ApiException or IOException)
        {
            // Abandoned: whatever it ended with is not this list's error.
        }
        request.Dispose();
    }

    /// <summary>A list page asked for: the response to come and the timeout that bounds it.</summary>
    private sealed class PageRequest(Task<HttpResponseMessage> response, CancellationTokenSource timeout) : IDisposable
    {
        public Task<HttpResponseMessage> Response { get; } = response;
        public CancellationTokenSource Timeout { get; } = timeout;
        public bool Disposed { get; private set; }

        public void Dispose()
        {
            Disposed = true;
            Timeout.Dispose();
        }
    }

    private async Task<HttpResponseMessage> SendAsync(string query, CancellationToken ct)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, ResourcePaths.For(kind) + query);
        request.Headers.Accept.ParseAdd("application/json");
        var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false);
        if (response.IsSuccessStatusCode) return response;

        using (response)
        {
            var text = await ReadErrorAsync(response, ct).ConfigureAwait(false);
            throw new ApiException(response.StatusCode, $"GET {request.RequestUri}: HTTP {(int)response.StatusCode} {text}");
        }
    }

    private static async Task<string> ReadErrorAsync(HttpResponseMessage response, CancellationToken ct)
    {
        try
        {
            var body = await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
            using var status = JsonDocument.Parse(body);
            return JsonFields.GetString(status.RootElement, "message") ?? body;
        }
        catch (Exception ex) when (ex is JsonException or HttpRequestException or IOException)
        {
            return response.ReasonPhrase ?? "";
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Listed {Kind}: {Count} objects at resourceVersion {ResourceVersion}")]
    private static partial void LogListed(ILogger logger, ResourceKind kind, int count, string? resourceVersion);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Watch of {Kind} ended at resourceVersion {ResourceVersion}; resuming")]
    private static partial void LogWatchEnded(ILogger logger, ResourceKind kind, string? resourceVersion);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Kind}: resource version expired ({Reason}); relisting")]
    private static partial void LogExpired(ILogger logger, ResourceKind kind, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Kind}: {Error}; retrying in {DelayMs:F0} ms")]
    private static partial void LogRetry(ILogger logger, ResourceKind kind, string error, double delayMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Kind}: skipping object: {Error}")]
    private static partial void LogBadObject(ILogger logger, ResourceKind kind, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Kind}: the resource {Path} does not exist (is its CRD installed?); serving without it and checking again with backoff")]
    private static partial void LogAbsent(ILogger logger, ResourceKind kind, string path);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Kind}: the resource exists now; watching it")]
    private static partial void LogAppeared(ILogger logger, ResourceKind kind);

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Kind}: ignoring watch event type {Type}")]
    private static partial void LogUnknownEvent(ILogger logger, ResourceKind kind, string type);
}
