using System.Buffers.Text;
using System.Text.Json;

namespace ClusterDns.Kubernetes.Connection.Oidc;

/// <summary>
/// Reads an id-token's <c>exp</c> claim from its payload. The signature is not checked: the API server checks
/// it, and we only need to know when to refresh.
/// </summary>
internal static class IdTokenExpiry
{
    /// <summary>The expiry, or null when the token is not a JWT with a numeric <c>exp</c>.</summary>
    public static DateTimeOffset? Read(string? token)
    {
        if (string.IsNullOrEmpty(token)) return null;
        var parts = token.Split('.');
        if (parts.Length != 3) return null;
        try
        {
            var claims = JsonSerializer.Deserialize(Base64Url.DecodeFromChars(parts[1]), OidcJsonContext.Default.JwtClaims);
            if (claims?.Exp is not { } exp || double.IsNaN(exp) || exp < 0 || exp > 253402300799) return null;
            return DateTimeOffset.FromUnixTimeSeconds((long)exp);
        }
        catch (Exception ex) when (ex is FormatException or JsonException)
        {
            return null;
        }
    }
}
