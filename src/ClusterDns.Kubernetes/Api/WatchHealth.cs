namespace ClusterDns.Kubernetes;

/// <summary>
/// How fresh one kind's view of the API server is. <see cref="Open"/>: a watch stream is open (an open but silent
/// watch is alive: the server sends bookmarks, which we ask for). <see cref="DownFor"/>: how long no watch has been
/// open (zero while one is). <see cref="LastEventAge"/>: time since the last list, watch event or bookmark (since
/// the informer started while none has arrived). <see cref="LastError"/>: the kind's latest failure, if any.
/// </summary>
public readonly record struct WatchHealth(bool Open, TimeSpan DownFor, TimeSpan LastEventAge, string? LastError);
