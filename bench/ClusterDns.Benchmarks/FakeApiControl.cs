using System.Globalization;
using ClusterDns.Testing.FakeApiServer;

namespace ClusterDns.Benchmarks;

/// <summary>
/// The stdin control channel of <c>fake-api</c>, one command a line and one answer line each:
/// <list type="bullet">
/// <item><c>fresh COUNT DNSPORT</c>: measures freshness (<see cref="FreshnessProbe"/>), answers "fresh n=.. p50_ms=..".</item>
/// <item><c>apply RESOURCE JSON</c> / <c>delete RESOURCE KEY</c>: changes one object, answers "ok REVISION" ("absent" when
/// there was nothing to delete); the revision is the one watches see.</item>
/// <item><c>revision</c>: answers "revision R compacted C".</item>
/// <item><c>compact</c>: forgets history and sends every open watch 410 Gone; answers "compacted R".</item>
/// </list>
/// </summary>
internal static class FakeApiControl
{
    public static async Task<string> RunAsync(FakeResourceStore store, string command)
    {
        var parts = command.Split(' ', 3, StringSplitOptions.RemoveEmptyEntries);
        switch (parts)
        {
            case ["fresh", var count, var dnsPort]
                when int.TryParse(count, CultureInfo.InvariantCulture, out int changes) && changes > 0
                     && int.TryParse(dnsPort, CultureInfo.InvariantCulture, out int port) && port is > 0 and < 65536:
                return await FreshnessProbe.RunAsync(store, changes, port).ConfigureAwait(false);
            case ["apply" or "delete", var resource, var argument] when FakeResourceStore.Resources.ContainsKey(resource):
                try
                {
                    long? revision = Change(store, parts[0], resource, argument);
                    return revision is { } r ? "ok " + r.ToString(CultureInfo.InvariantCulture) : "absent";
                }
                catch (Exception e) when (e is ArgumentException or System.Text.Json.JsonException or InvalidOperationException)
                {
                    return "error: " + e.Message;
                }
            case ["revision"]:
                return $"revision {store.Revision} compacted {store.CompactedRevision}";
            case ["compact"]:
                store.Compact();
                store.ExpireWatches();
                return "compacted " + store.CompactedRevision.ToString(CultureInfo.InvariantCulture);
            default:
                return $"error: expected fresh, apply, delete, revision or compact, got '{command}'";
        }
    }

    /// <summary>Applies or deletes one object; the new revision, or null when a delete found nothing.</summary>
    public static long? Change(FakeResourceStore store, string verb, string resource, string argument)
    {
        if (verb == "apply")
        {
            return store.Apply(resource, argument);
        }
        return store.Delete(resource, argument) ? store.Revision : null;
    }
}
