using System.Net.Security;
using ClusterDns.Server.Common;
using ClusterDns.Server.Config;
using Microsoft.Extensions.Logging;

namespace ClusterDns.Server.Plugins.Tls;

/// <summary>
/// The certificate a <c>tls://</c> or <c>https://</c> port serves, kept current: every <see cref="TlsOptions.ReloadInterval"/>
/// the files are hashed, and when they changed (cert-manager rotated the Secret) they are loaded again and new
/// connections get the new certificate. Files that no longer load leave the last good certificate serving.
/// </summary>
public sealed partial class TlsCredentials : PeriodicComponent, IServerTlsCredentials
{
    private readonly ILogger _logger;
    private TlsCredentialSet _current;

    private TlsCredentials(TlsOptions options, TlsCredentialSet first, ILogger logger, TimeSpan interval)
        : base(interval)
    {
        Options = options;
        _current = first;
        _logger = logger;
        Identity = $"{options.CertificatePath}|{options.KeyPath}|{options.AuthorityPath}|{options.ClientAuth}|{first.Fingerprint}";
    }

    public TlsOptions Options { get; }

    /// <summary>The files and content this was built from: a Corefile reload with the same files keeps the port's sockets.</summary>
    public string Identity { get; }

    public SslServerAuthenticationOptions ForDot => Volatile.Read(ref _current).ForDot;

    public SslServerAuthenticationOptions ForDoh => Volatile.Read(ref _current).ForDoh;

    /// <summary>The certificate new connections get now.</summary>
    public System.Security.Cryptography.X509Certificates.X509Certificate2 Certificate => Volatile.Read(ref _current).Certificate;

    /// <summary>Rotations taken since start.</summary>
    public int Reloads => Volatile.Read(ref _reloads);

    /// <summary>Checks that found files which do not load (the old certificate kept serving).</summary>
    public int FailedReloads => Volatile.Read(ref _failedReloads);

    private int _reloads;
    private int _failedReloads;
    private string? _lastFailedFingerprint;

    /// <summary>Loads the files now; <see cref="TlsLoadException"/> when they do not make a usable certificate.</summary>
    internal static TlsCredentials Load(TlsOptions options, ILogger logger, TimeSpan? interval = null) =>
        new(options, TlsCredentialSet.Load(options), logger, interval ?? TlsOptions.ReloadInterval);

    protected override void Tick() => CheckNow();

    /// <summary>Compares the files with what is served and loads them if they changed. True when a new certificate took over.</summary>
    public bool CheckNow()
    {
        string fingerprint;
        try
        {
            fingerprint = TlsCredentialSet.FingerprintOf(Options);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            // Mid-rotation (the ..data symlink swapped) or gone: try again next time, keep serving.
            NoteFailure(exception.Message);
            return false;
        }
        if (fingerprint == Volatile.Read(ref _current).Fingerprint || fingerprint == _lastFailedFingerprint)
        {
            return false;
        }
        try
        {
            var next = TlsCredentialSet.Load(Options);
            Volatile.Write(ref _current, next);
            Interlocked.Increment(ref _reloads);
            _lastFailedFingerprint = null;
            LogReloaded(_logger, Options.CertificatePath, next.Certificate.Subject, next.Certificate.NotAfter);
            return true;
        }
        catch (TlsLoadException exception)
        {
            // Not tried again until the files change once more: a half-written rotation would log every tick.
            _lastFailedFingerprint = fingerprint;
            NoteFailure(exception.Message);
            return false;
        }
    }

    private void NoteFailure(string reason)
    {
        Interlocked.Increment(ref _failedReloads);
        LogReloadFailed(_logger, Options.CertificatePath, reason);
    }

    [LoggerMessage(EventId = 1300, Level = LogLevel.Information, Message = "tls: reloaded {Path}: {Subject}, valid until {NotAfter:u}")]
    private static partial void LogReloaded(ILogger logger, string path, string subject, DateTime notAfter);

    [LoggerMessage(EventId = 1301, Level = LogLevel.Warning, Message = "tls: {Path} changed but does not load; the previous certificate keeps serving: {Reason}")]
    private static partial void LogReloadFailed(ILogger logger, string path, string reason);
}
