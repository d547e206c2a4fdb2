using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ClusterDns.Testing.FakeApiServer;

/// <summary>What the issuer does wrong, for the failure cases.</summary>
public enum IssuerFault
{
    None,
    TokenEndpoint500,
    TokenEndpointGarbage,
    NoIdToken,
    DiscoveryNotFound,
    DiscoveryWithoutTokenEndpoint,
    Slow,
    InvalidGrant,
    BogusCharset,
}

/// <summary>One POST to the token endpoint as received.</summary>
public sealed record TokenRequest(string GrantType, string RefreshToken, string? BasicAuth, string? BodyClientId, string? BodyClientSecret);

/// <summary>
/// An OpenID Connect issuer on loopback (HTTP, or HTTPS with a certificate from <paramref name="ca"/>): the
/// discovery document and a token endpoint that answers a refresh with a new unsigned id-token "id-N" (expiring
/// an hour after <see cref="Clock"/>) and refresh token "refresh-N", or with <see cref="Fault"/>.
/// </summary>
public sealed class FakeOidcIssuer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _issued;

    private FakeOidcIssuer(WebApplication app) => _app = app;

    public Uri Url { get; private set; } = null!;
    public IssuerFault Fault { get; set; }
    public bool RejectBasicAuth { get; set; }
    public Func<DateTimeOffset> Clock { get; set; } = () => DateTimeOffset.UtcNow;

    /// <summary>Called with each id-token issued, before it is sent (to let the API server accept it).</summary>
    public Action<string> Issued { get; set; } = _ => { };

    public int DiscoveryCalls => _discoveryCalls;
    public ConcurrentQueue<TokenRequest> TokenRequests { get; } = new();
    private int _discoveryCalls;

    public static async Task<FakeOidcIssuer> StartAsync(TestCertificateAuthority? ca = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        var certificate = ca?.IssueServer().Certificate;
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen =>
        {
            if (certificate is not null) listen.UseHttps(certificate);
        }));
        var app = builder.Build();
        var issuer = new FakeOidcIssuer(app);
        app.Run(issuer.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        issuer.Url = new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal) + "/realms/test");
        return issuer;
    }

    /// <summary>An unsigned JWT (alg none) with <paramref name="exp"/>: the API server checks signatures, not the client.</summary>
    public static string Jwt(string subject, DateTimeOffset exp) => Jwt($$"""{"sub":"{{subject}}","exp":{{exp.ToUnixTimeSeconds()}}}""");

    public static string Jwt(string claims) =>
        Base64Url("""{"alg":"none","typ":"JWT"}""") + "." + Base64Url(claims) + ".";

    private static string Base64Url(string text) => System.Buffers.Text.Base64Url.EncodeToString(Encoding.UTF8.GetBytes(text));

    private async Task HandleAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "";
        if (HttpMethods.IsGet(context.Request.Method) && path == "/realms/test/.well-known/openid-configuration")
        {
            Interlocked.Increment(ref _discoveryCalls);
            await (Fault switch
            {
                IssuerFault.DiscoveryNotFound => Reply(context, 404, "<html><body>no such realm</body></html>"),
                IssuerFault.DiscoveryWithoutTokenEndpoint => Reply(context, 200, $$"""{"issuer":"{{Url}}"}"""),
                _ => Reply(context, 200, $$"""{"issuer":"{{Url}}","token_endpoint":"{{Url}}/token","jwks_uri":"{{Url}}/keys"}"""),
            });
            return;
        }

        if (!HttpMethods.IsPost(context.Request.Method) || path != "/realms/test/token")
        {
            await Reply(context, 404, "not found");
            return;
        }

        var form = await context.Request.ReadFormAsync();
        var basic = context.Request.Headers.Authorization.ToString() is { Length: > 6 } header && header.StartsWith("Basic ", StringComparison.Ordinal)
            ? Encoding.UTF8.GetString(Convert.FromBase64String(header[6..]))
            : null;
        TokenRequests.Enqueue(new TokenRequest(form["grant_type"].ToString(), form["refresh_token"].ToString(), basic,
            form.TryGetValue("client_id", out var id) ? id.ToString() : null, form.TryGetValue("client_secret", out var secret) ? secret.ToString() : null));
        if (RejectBasicAuth && basic is not null)
        {
            await Reply(context, 401, """{"error":"invalid_client","error_description":"client authentication by header is not allowed"}""");
            return;
        }

        switch (Fault)
        {
            case IssuerFault.TokenEndpoint500:
                await Reply(context, 500, "upstream connect error or disconnect/reset before headers");
                return;
            case IssuerFault.TokenEndpointGarbage:
                await Reply(context, 200, "{\"id_token\": \"unterminated");
                return;
            case IssuerFault.NoIdToken:
                await Reply(context, 200, """{"access_token":"a","token_type":"Bearer","expires_in":300}""");
                return;
            case IssuerFault.BogusCharset:
                context.Response.ContentType = "application/json; charset=no-such-charset";
                await context.Response.WriteAsync("""{"access_token":"a"}""");
                return;
            case IssuerFault.InvalidGrant:
                await Reply(context, 400, """{"error":"invalid_grant","error_description":"Token is not active"}""");
                return;
            case IssuerFault.Slow:
                // Held until the client gives up (it aborts the request) or the test ends.
                await Task.Delay(Timeout.Infinite, context.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
                return;
        }

        var n = Interlocked.Increment(ref _issued);
        var idToken = Jwt("id-" + n, Clock() + TimeSpan.FromHours(1));
        Issued(idToken);
        await Reply(context, 200, $$"""{"access_token":"access-{{n}}","token_type":"Bearer","expires_in":3600,"id_token":"{{idToken}}","refresh_token":"refresh-{{n}}"}""");
    }

    private static Task Reply(HttpContext context, int status, string body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = body.StartsWith('{') ? "application/json" : "text/html";
        return context.Response.WriteAsync(body);
    }

    public async ValueTask DisposeAsync()
    {
        using var abort = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        await _app.StopAsync(abort.Token);
        await _app.DisposeAsync();
    }
}
