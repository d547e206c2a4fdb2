using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ClusterDns.Testing.Network;
using ClusterDns.Testing.Processes;

namespace ClusterDns.Testing.Peers;

/// <summary>
/// A real recursive resolver for tests: Debian's unbound on 127.0.0.1 free ports, serving the given
/// local-data (and DNS over TLS, and over HTTPS with HTTP/2, with a certificate generated here), started with a
/// config in a temp dir.
/// </summary>
public sealed class UnboundServer : IAsyncDisposable
{
    public const string TlsServerName = "dns.test";

    private readonly Process _process;

    private UnboundServer(Process process, string directory, int port, int tlsPort, int httpsPort)
    {
        _process = process;
        Directory = directory;
        Port = port;
        TlsPort = tlsPort;
        HttpsPort = httpsPort;
    }

    public string Directory { get; }

    public int Port { get; }

    public int TlsPort { get; }

    /// <summary>The DNS over HTTPS port (path /dns-query), or 0.</summary>
    public int HttpsPort { get; }

    /// <summary>PEM of the self-signed certificate the TLS port presents (use it as the CA).</summary>
    public string CertificatePath => Path.Combine(Directory, "cert.pem");

    /// <summary>
    /// Starts unbound on free loopback ports. A port picked as free can be taken by another test assembly before
    /// unbound binds it; then unbound exits at once, and a second try with new ports is made (bounded).
    /// </summary>
    public static async Task<UnboundServer> StartAsync(IEnumerable<string> localData, string probeName, bool tls = false, bool https = false)
    {
        var data = localData.ToArray();
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                return await StartOnceAsync(data, probeName, tls, https);
            }
            catch (UnboundExitedException) when (attempt < 3)
            {
            }
        }
    }

    private sealed class UnboundExitedException(string message) : InvalidOperationException(message);

    private static async Task<UnboundServer> StartOnceAsync(IEnumerable<string> localData, string probeName, bool tls, bool https)
    {
        string directory = Path.Combine(Path.GetTempPath(), "clusterdns-unbound-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(directory);
        int port = FreePorts.Loopback();
        int tlsPort = tls ? FreePorts.Loopback() : 0;
        int httpsPort = https ? FreePorts.Loopback() : 0;
        var config = new List<string>
        {
            "server:",
            $"  interface: 127.0.0.1@{port}",
            "  do-not-query-localhost: no",
            "  username: \"\"",
            "  chroot: \"\"",
            $"  directory: \"{directory}\"",
            "  pidfile: \"\"",
            "  use-syslog: no",
            "  logfile: \"\"",
            "  verbosity: 0",
            "  do-ip6: no",
            "  access-control: 127.0.0.0/8 allow",
            "  module-config: \"iterator\"",
            "  local-zone: \"test.example.\" static",
        };
        config.AddRange(localData.Select(d => $"  local-data: \"{d}\""));
        if (tls || https)
        {
            WriteCertificate(directory);
            config.Add($"  tls-service-key: \"{Path.Combine(directory, "key.pem")}\"");
            config.Add($"  tls-service-pem: \"{Path.Combine(directory, "cert.pem")}\"");
        }
        if (tls)
        {
            config.Add($"  interface: 127.0.0.1@{tlsPort}");
            config.Add($"  tls-port: {tlsPort}");
        }
        if (https)
        {
            // Debian's unbound is built with nghttp2: DoH over HTTP/2 only.
            config.Add($"  interface: 127.0.0.1@{httpsPort}");
            config.Add($"  https-port: {httpsPort}");
            config.Add("  http-endpoint: \"/dns-query\"");
        }
        config.Add("remote-control:");
        config.Add("  control-enable: no");
        string configPath = Path.Combine(directory, "unbound.conf");
        await File.WriteAllLinesAsync(configPath, config);

        var process = Process.Start(new ProcessStartInfo("unbound", ["-d", "-c", configPath])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        }) ?? throw new InvalidOperationException("unbound did not start");
        var errors = new System.Text.StringBuilder();
        process.ErrorDataReceived += (_, e) => { lock (errors) { errors.AppendLine(e.Data); } };
        process.OutputDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        var server = new UnboundServer(process, directory, port, tlsPort, httpsPort);
        try
        {
            await server.WaitUntilAnsweringAsync(probeName);
        }
        catch (InvalidOperationException) when (process.HasExited)
        {
            string reason;
            lock (errors)
            {
                reason = errors.ToString();
            }
            await server.DisposeAsync();
            throw new UnboundExitedException($"unbound exited with {process.ExitCode}: {reason}");
        }
        return server;
    }

    /// <summary>Polls with dig (one-second tries) until the server answers the probe, for at most 15 s.</summary>
    private async Task WaitUntilAnsweringAsync(string probeName)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(15))
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"unbound exited with {_process.ExitCode}; config in {Directory}");
            }
            var dig = await ProcessRunner.RunAsync("dig", ["@127.0.0.1", "-p", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), probeName, "+short", "+time=1", "+tries=1"]);
            if (dig.ExitCode == 0 && dig.Output.Trim().Length > 0)
            {
                return;
            }
            await Task.Delay(100);
        }
        throw new TimeoutException("unbound did not answer within 15 s");
    }

    private static void WriteCertificate(string directory)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest($"CN={TlsServerName}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName(TlsServerName);
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        File.WriteAllText(Path.Combine(directory, "cert.pem"), certificate.ExportCertificatePem());
        File.WriteAllText(Path.Combine(directory, "key.pem"), key.ExportPkcs8PrivateKeyPem());
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
