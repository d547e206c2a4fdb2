using System.Globalization;
using System.Net;

namespace ClusterDns.Corefile;

/// <summary>
/// Typed readings of a token for plugin setup code. Each throws a <see cref="CorefileException"/> at the token's
/// file and line, so every plugin reports a bad value the same way.
/// </summary>
public static class TokenExtensions
{
    /// <summary>An error at this token's file and line.</summary>
    public static CorefileException Error(this Token token, string reason) => CorefileException.At(token, reason);

    /// <summary>A Go duration: "0", "5s", "1m30s", "500ms", "1h"; never a bare number, never negative.</summary>
    public static TimeSpan ParseDuration(this Token token) =>
        GoDuration.TryParse(token.Text, out TimeSpan value, out string? error) ? value : throw token.Error(error);

    /// <summary>A bare non-negative number of seconds ("30"), or a Go duration ("30s").</summary>
    public static TimeSpan ParseSeconds(this Token token)
    {
        string text = token.Text;
        if (text.Length > 0 && text.All(char.IsAsciiDigit))
        {
            return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long seconds) && seconds <= (long)TimeSpan.MaxValue.TotalSeconds
                ? TimeSpan.FromSeconds(seconds)
                : throw token.Error($"'{text}' seconds is too large");
        }

        return GoDuration.TryParse(text, out TimeSpan value, out _)
            ? value
            : throw token.Error($"'{text}' is not a number of seconds or a duration (expected e.g. 30 or 30s)");
    }

    /// <summary>A decimal integer in [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public static int ParseInt(this Token token, int min = int.MinValue, int max = int.MaxValue)
    {
        if (!int.TryParse(token.Text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int value))
        {
            throw token.Error($"'{token.Text}' is not an integer");
        }

        return value >= min && value <= max ? value : throw token.Error($"{value} is out of range ({min}-{max})");
    }

    /// <summary>Go's strconv.ParseBool words, any case: true/false, t/f, 1/0.</summary>
    public static bool ParseBool(this Token token) => token.Text.ToLowerInvariant() switch
    {
        "true" or "t" or "1" => true,
        "false" or "f" or "0" => false,
        _ => throw token.Error($"'{token.Text}' is not a boolean (expected true or false)"),
    };

    /// <summary>
    /// "1.2.3.4", "1.2.3.4:53", "::1", "[::1]:53", or ":9153" (any address: <see cref="IPAddress.IPv6Any"/>,
    /// meant to be bound dual-stack). Host names are rejected.
    /// </summary>
    public static IPEndPoint ParseIPEndPoint(this Token token, int defaultPort) =>
        EndpointSyntax.TryParse(token.Text, defaultPort, out IPEndPoint? endPoint, out string? error) ? endPoint : throw token.Error(error);

    /// <summary>The canonical zone names the token denotes (see <see cref="ZoneNames.Normalize"/>).</summary>
    public static IReadOnlyList<string> ParseZones(this Token token) =>
        ZoneNames.TryNormalize(token.Text, out var zones, out string? error) ? zones : throw token.Error(error);
}
