using System.Globalization;

namespace ClusterDns.Kubernetes;

/// <summary>
/// What a source remembers of an object it passed on: its resourceVersion and when it arrived (Unix
/// milliseconds), for reconciling the next list and for <c>clusterdns explain</c>. A resourceVersion that is a
/// plain decimal number (etcd's revision, what every etcd-backed API server sends) is kept as that number rather
/// than as a string: ~32 bytes less per object, 1.6 MB at 50,000 pods.
/// </summary>
public readonly struct KnownObject : IEquatable<KnownObject>
{
    /// <summary>The version when it is not kept as a number; null when it is.</summary>
    private readonly string? _text;
    private readonly long _number;

    public KnownObject(string resourceVersion, long receivedAtUnixMs)
    {
        if (TryNumber(resourceVersion, out _number))
        {
            _text = null;
        }
        else
        {
            _text = resourceVersion;
            _number = 0;
        }
        ReceivedAtUnixMs = receivedAtUnixMs;
    }

    public long ReceivedAtUnixMs { get; }

    /// <summary>The version as the API server sent it (allocates when kept as a number: explain, logs).</summary>
    public string ResourceVersion => _text ?? _number.ToString(CultureInfo.InvariantCulture);

    public DateTimeOffset ReceivedAt => DateTimeOffset.FromUnixTimeMilliseconds(ReceivedAtUnixMs);

    public static KnownObject Now(string resourceVersion) => new(resourceVersion, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());

    /// <summary>Whether this object's version is <paramref name="resourceVersion"/>, without allocating.</summary>
    public bool HasVersion(string resourceVersion) =>
        _text is null ? TryNumber(resourceVersion, out long number) && number == _number : _text == resourceVersion;

    /// <summary>A canonical decimal (no sign, no leading zero, fits a long): only then does the number give the string back.</summary>
    private static bool TryNumber(string text, out long number)
    {
        number = 0;
        if (text.Length is 0 or > 18 || (text[0] == '0' && text.Length > 1))
        {
            return false;
        }
        foreach (char c in text)
        {
            if (!char.IsAsciiDigit(c))
            {
                number = 0;
                return false;
            }
            number = number * 10 + (c - '0');
        }
        return true;
    }

    public bool Equals(KnownObject other) => _text == other._text && _number == other._number && ReceivedAtUnixMs == other.ReceivedAtUnixMs;

    public override bool Equals(object? obj) => obj is KnownObject other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(_text, _number, ReceivedAtUnixMs);

    public static bool operator ==(KnownObject left, KnownObject right) => left.Equals(right);

    public static bool operator !=(KnownObject left, KnownObject right) => !left.Equals(right);
}
