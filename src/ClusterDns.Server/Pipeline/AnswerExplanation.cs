namespace ClusterDns.Server.Pipeline;

/// <summary>
/// Where the answers for one name come from: the zone that holds it, the serial being served, the objects
/// (with their resourceVersions and arrival times), notes for what no object explains, and how fresh each
/// watched kind is.
/// </summary>
public sealed record AnswerExplanation(
    string Source,
    string Zone,
    uint Serial,
    bool Synced,
    IReadOnlyList<AnswerSourceObject> Objects,
    IReadOnlyList<string> Notes,
    IReadOnlyList<WatchFreshness> Freshness);

/// <summary>
/// One object an answer comes from: its kind ("Service"), key ("default/web"), what it contributes ("the
/// Service's addresses", "endpoint 10.0.0.5"), its resourceVersion and when this replica received it
/// (null when unknown, e.g. loaded from the state file and not yet confirmed by the API).
/// </summary>
public sealed record AnswerSourceObject(string Kind, string Key, string Role, string? ResourceVersion, DateTimeOffset? ReceivedAt);

/// <summary>One watched kind: whether its watch is open and how long since its last event or bookmark (null: no watch, e.g. manifests).</summary>
public sealed record WatchFreshness(string Kind, bool? Open, TimeSpan? LastEventAge);
