namespace ClusterDns.Server.Plugins.Tls;

/// <summary>
/// <c>client_auth</c>: whether a client certificate is asked for and checked, Go's <c>tls.ClientAuthType</c> values
/// by CoreDNS's names. Verification chains to the CA file, or to the system's roots when the block names none.
/// </summary>
public enum TlsClientAuth
{
    /// <summary><c>nocert</c> (the default): no certificate is asked for.</summary>
    NoCert,

    /// <summary><c>request</c>: one is asked for; none or any is accepted, nothing is checked.</summary>
    Request,

    /// <summary><c>require</c>: one must be sent; it is not checked.</summary>
    Require,

    /// <summary><c>verify_if_given</c>: none is accepted; one that is sent must chain to the CA.</summary>
    VerifyIfGiven,

    /// <summary><c>require_and_verify</c>: one must be sent and must chain to the CA (mutual TLS).</summary>
    RequireAndVerify,
}

internal static class TlsClientAuthNames
{
    public static bool TryParse(string text, out TlsClientAuth mode)
    {
        switch (text)
        {
            case "nocert": mode = TlsClientAuth.NoCert; return true;
            case "request": mode = TlsClientAuth.Request; return true;
            case "require": mode = TlsClientAuth.Require; return true;
            case "verify_if_given": mode = TlsClientAuth.VerifyIfGiven; return true;
            case "require_and_verify": mode = TlsClientAuth.RequireAndVerify; return true;
            default: mode = default; return false;
        }
    }

    public static bool AsksForCertificate(this TlsClientAuth mode) => mode != TlsClientAuth.NoCert;

    public static bool RequiresCertificate(this TlsClientAuth mode) => mode is TlsClientAuth.Require or TlsClientAuth.RequireAndVerify;

    public static bool Verifies(this TlsClientAuth mode) => mode is TlsClientAuth.VerifyIfGiven or TlsClientAuth.RequireAndVerify;
}
