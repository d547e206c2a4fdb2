using System.Text.Json.Serialization;

namespace ClusterDns.Kubernetes.Connection.Oidc;

/// <summary>The one field of the issuer's discovery document a refresh needs (OpenID Connect Discovery 1.0 §3).</summary>
internal sealed class OidcDiscovery
{
    [JsonPropertyName("token_endpoint")]
    public string? TokenEndpoint { get; set; }
}

/// <summary>A token endpoint's answer: the tokens on success (RFC 6749 §5.1), the error code on failure (§5.2).</summary>
internal sealed class OidcTokenResponse
{
    [JsonPropertyName("id_token")]
    public string? IdToken { get; set; }

    [JsonPropertyName("refresh_token")]
    public string? RefreshToken { get; set; }

    [JsonPropertyName("error")]
    public string? Error { get; set; }

    [JsonPropertyName("error_description")]
    public string? ErrorDescription { get; set; }
}

/// <summary>The id-token's expiry: a JSON number of seconds, integer or not (client-go takes both).</summary>
internal sealed class JwtClaims
{
    [JsonPropertyName("exp")]
    public double? Exp { get; set; }
}

/// <summary>Source-generated, so the Native AOT build reads these without reflection.</summary>
[JsonSerializable(typeof(OidcDiscovery))]
[JsonSerializable(typeof(OidcTokenResponse))]
[JsonSerializable(typeof(JwtClaims))]
internal sealed partial class OidcJsonContext : JsonSerializerContext;
