namespace ClusterDns.Kubernetes.Connection;

/// <summary>
/// The bearer token of a connection: fixed, or read from a file and re-read every minute because
/// bound service-account tokens rotate (the kubelet rewrites the file well before expiry).
/// </summary>
internal sealed class BearerTokenSource
{
    public static readonly TimeSpan RefreshInterval = TimeSpan.FromMinutes(1);

    private readonly string? _fixedToken;
    private readonly string? _path;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private string? _token;
    private long _readAt;
    private bool _stale = true;

    private BearerTokenSource(string? fixedToken, string? path, TimeProvider time)
    {
        _fixedToken = fixedToken;
        _path = path;
        _time = time;
    }

    public static BearerTokenSource Fixed(string token) => new(token, null, TimeProvider.System);

    public static BearerTokenSource FromFile(string path, TimeProvider? time = null) => new(null, path, time ?? TimeProvider.System);

    public bool IsFromFile => _path is not null;

    /// <summary>Reads the token file once, so configuration errors show at startup.</summary>
    public bool TryReadNow(out string error)
    {
        error = "";
        if (_path is null) return true;
        if (TryRead(_path, out var token, out error))
        {
            lock (_gate)
            {
                _token = token;
                _readAt = _time.GetTimestamp();
                _stale = false;
            }

            return true;
        }

        return false;
    }

    /// <summary>The token to send now; a failed re-read keeps the last good token.</summary>
    public string? Current
    {
        get
        {
            if (_path is null) return _fixedToken;
            lock (_gate)
            {
                if (_stale || _time.GetElapsedTime(_readAt) >= RefreshInterval)
                {
                    if (TryRead(_path, out var token, out _)) _token = token;
                    _readAt = _time.GetTimestamp();
                    _stale = false;
                }

                return _token;
            }
        }
    }

    /// <summary>The server rejected the token: read the file again on next use instead of waiting a minute.</summary>
    public void Invalidate()
    {
        lock (_gate) _stale = true;
    }

    private static bool TryRead(string path, out string token, out string error)
    {
        token = "";
        try
        {
            token = File.ReadAllText(path).Trim();
            error = token.Length == 0 ? $"token file {path} is empty" : "";
            return token.Length > 0;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            error = $"cannot read token file {path}: {ex.Message}";
            return false;
        }
    }
}
