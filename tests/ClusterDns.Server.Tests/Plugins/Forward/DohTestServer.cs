using System.Buffers.Binary;
using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Net;
using ClusterDns.Protocol;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;

namespace ClusterDns.Server.Tests.Plugins.Forward;

/// <summary>What <see cref="DohTestServer"/> does with the next requests.</summary>
internal enum DohBehaviour
{
    /// <summary>A 200 with an A 192.0.2.1 answer.</summary>
    Answer,

    /// <summary>Reads the request and never replies.</summary>
    Stall,

    /// <summary>A 500 with a DNS answer body.</summary>
    ServerError,

    /// <summary>A 200 with an HTML page.</summary>
    Html,

    /// <summary>A 200, the right content type, a body that is not a DNS message.</summary>
    Garbage,

    /// <summary>A well-formed answer to another question.</summary>
    OtherQuestion,

    /// <summary>A 200 with 70,000 bytes of body.</summary>
    Oversized,
}

/// <summary>
/// A minimal DNS over HTTPS server (RFC 8484) on Kestrel, loopback, HTTP/1.1 and HTTP/2 over TLS with a test
/// certificate; GET with <c>dns=</c> and POST on /dns-query. Counts connections (each one TLS handshake) and
/// records each request's method, HTTP version and DNS question.
/// </summary>
internal sealed class DohTestServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _connections;

    private DohTestServer(WebApplication app, TestServerCertificate certificate)
    {
        _app = app;
        Certificate = certificate;
    }

    public TestServerCertificate Certificate { get; }

    public int Port { get; private set; }

    public DohBehaviour Behaviour { get; set; }

    public int Connections => Volatile.Read(ref _connections);

    public ConcurrentQueue<(string Method, string Protocol, ushort Id, string Name, RecordType Type)> Requests { get; } = new();

    public static async Task<DohTestServer> StartAsync(TestServerCertificate certificate, HttpProtocols protocols = HttpProtocols.Http1AndHttp2)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore();
        DohTestServer? server = null;
        builder.WebHost.ConfigureKestrel(options => options.Listen(IPAddress.Loopback, 0, listen =>
        {
            listen.Protocols = protocols;
            listen.Use(next => connection =>
            {
                Interlocked.Increment(ref server!._connections);
                return next(connection);
            });
            listen.UseHttps(certificate.Certificate);
        }));
        var app = builder.Build();
        server = new DohTestServer(app, certificate);
        app.Run(server.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.Port = new Uri(address).Port;
        return server;
    }

    private async Task HandleAsync(HttpContext context)
    {
        if (context.Request.Path != "/dns-query")
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }
        byte[] query;
        if (HttpMethods.IsGet(context.Request.Method))
        {
            query = Base64Url.DecodeFromChars(context.Request.Query["dns"].ToString());
        }
        else
        {
            if (context.Request.ContentType != "application/dns-message")
            {
                context.Response.StatusCode = StatusCodes.Status415UnsupportedMediaType;
                return;
            }
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body);
            query = body.ToArray();
        }
        if (DnsMessage.TryParse(query, out var message) != DnsError.None || message.Questions.Count != 1)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }
        var question = message.Questions[0];
        Requests.Enqueue((context.Request.Method, context.Request.Protocol, BinaryPrimitives.ReadUInt16BigEndian(query), question.Name.ToString(), question.Type));

        var reply = TestDns.AnswerA(message, 300, "192.0.2.1");
        switch (Behaviour)
        {
            case DohBehaviour.Stall:
                try
                {
                    await Task.Delay(Timeout.Infinite, context.RequestAborted);
                }
                catch (OperationCanceledException)
                {
                }
                return;
            case DohBehaviour.ServerError:
                context.Response.StatusCode = StatusCodes.Status500InternalServerError;
                break;
            case DohBehaviour.Html:
                context.Response.ContentType = "text/html";
                await context.Response.WriteAsync("<html><body>captive portal</body></html>");
                return;
            case DohBehaviour.Garbage:
                context.Response.ContentType = "application/dns-message";
                await context.Response.Body.WriteAsync(new byte[] { 0xde, 0xad, 0xbe, 0xef, 0x81 });
                return;
            case DohBehaviour.OtherQuestion:
                reply.Questions[0] = new DnsQuestion(DnsName.Parse("other.example."), question.Type, question.Class);
                break;
            case DohBehaviour.Oversized:
                context.Response.ContentType = "application/dns-message";
                await context.Response.Body.WriteAsync(new byte[70_000]);
                return;
        }
        context.Response.ContentType = "application/dns-message";
        await context.Response.Body.WriteAsync(reply.ToArray());
    }

    public async ValueTask DisposeAsync()
    {
        // Cancelled at once: stalled requests are aborted rather than waited for.
        await _app.StopAsync(new CancellationToken(canceled: true));
        await _app.DisposeAsync();
    }
}
