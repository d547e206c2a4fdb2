using ClusterDns.Kubernetes.Connection.Oidc;
using ClusterDns.Testing.FakeApiServer;

namespace ClusterDns.Kubernetes.Tests.Connection;

/// <summary>client-go's idTokenExpired, restated: exp as an integer or a float; anything else is not an expiry.</summary>
public sealed class IdTokenExpiryTests
{
    [Theory]
    [InlineData("""{"exp":1767225600}""", 1767225600L)]
    [InlineData("""{"sub":"a","exp":1767225600.75,"aud":["x"]}""", 1767225600L)]
    [InlineData("""{"exp":1.7672256E9}""", 1767225600L)]
    [InlineData("""{"sub":"no expiry"}""", null)]
    [InlineData("""{"exp":"1767225600"}""", null)]
    [InlineData("""{"exp":-5}""", null)]
    [InlineData("""{"exp":1e300}""", null)]
    [InlineData("""not json""", null)]
    public void ReadsTheExpClaim(string claims, long? expected) =>
        Assert.Equal(expected, IdTokenExpiry.Read(FakeOidcIssuer.Jwt(claims))?.ToUnixTimeSeconds());

    [Theory]
    [InlineData("")]
    [InlineData("opaque-token")]
    [InlineData("two.parts")]
    [InlineData("a.b.c.d")]
    [InlineData("eyJhbGciOiJub25lIn0.%%%.")]
    public void NonJwtsHaveNoExpiry(string token) => Assert.Null(IdTokenExpiry.Read(token));
}
