using ClusterDns.Corefile;
using ClusterDns.Server.Config;
using Microsoft.Extensions.Logging;

namespace ClusterDns.Server.Plugins.Tls;

/// <summary>
/// <c>tls CERT KEY [CA] { client_auth nocert|request|require|verify_if_given|require_and_verify }</c> (CoreDNS): the
/// server certificate of a <c>tls://</c> or <c>https://</c> block. The files are loaded now, so a certificate that
/// does not parse, a key that is not its key or a missing CA stops the start (or the reload) at this line. Not a
/// handler: it shapes the listener and costs nothing per query.
/// </summary>
public sealed class TlsSetup : IPluginSetup
{
    public string Name => "tls";

    public void Setup(Directive directive, ServerBlockBuilder block)
    {
        if (block.Tls is not null)
        {
            throw directive.Error("'tls' is given more than once in this block");
        }
        var options = Parse(directive, block.Context.ResolvePath);
        if (block.Transport == ServerTransport.Dns)
        {
            // A block may serve one zone as dns:// on one port and tls:// on another: the plain port ignores it.
            if (block.Source.Keys.Any(k => k.Scheme is ZoneAddress.TlsScheme or ZoneAddress.HttpsScheme))
            {
                return;
            }
            throw directive.Error("'tls' has no effect in a dns:// block; serve the zones as tls://ZONE or https://ZONE");
        }
        TlsCredentials credentials;
        try
        {
            credentials = TlsCredentials.Load(options, block.Context.LoggerFactory.CreateLogger<TlsCredentials>());
        }
        catch (TlsLoadException exception)
        {
            throw directive.Error(exception.Message);
        }
        block.Tls = credentials;
        block.Context.Components.Add(credentials);
    }

    /// <summary>The directive as options, paths resolved; no file is read.</summary>
    public static TlsOptions Parse(Directive directive, Func<string, string> resolvePath)
    {
        directive.ExpectArgCount(2, 3);
        var clientAuth = TlsClientAuth.NoCert;
        foreach (var option in directive.Block)
        {
            switch (option.Name)
            {
                case "client_auth":
                    option.ExpectNoBlock();
                    option.ExpectArgCount(1, 1);
                    if (!TlsClientAuthNames.TryParse(option.Args[0].Text, out clientAuth))
                    {
                        throw option.Args[0].Error($"unknown authentication type '{option.Args[0].Text}' (nocert, request, require, verify_if_given or require_and_verify)");
                    }
                    break;
                case "keylog":
                    // Writing session secrets to a file is CoreDNS's debugging aid; refused rather than ignored.
                    throw option.Error("'keylog' is not supported by ClusterDns (it would write TLS session secrets to disk); see docs/configuration.md");
                default:
                    throw directive.UnknownSubdirective(option);
            }
        }
        var args = directive.Args;
        return new TlsOptions(resolvePath(args[0].Text), resolvePath(args[1].Text), args.Count == 3 ? resolvePath(args[2].Text) : null, clientAuth);
    }
}
