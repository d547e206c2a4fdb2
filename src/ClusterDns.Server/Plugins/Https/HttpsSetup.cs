using System.Globalization;
using ClusterDns.Corefile;
using ClusterDns.Server.Config;

namespace ClusterDns.Server.Plugins.Https;

/// <summary>
/// <c>https { max_connections N; max_streams N }</c> (CoreDNS 1.14): limits of a DNS-over-HTTPS port, 0 for
/// unbounded. Each may be given once; not a handler.
/// </summary>
public sealed class HttpsSetup : IPluginSetup
{
    public string Name => "https";

    public void Setup(Directive directive, ServerBlockBuilder block)
    {
        directive.ExpectArgCount(0, 0);
        if (block.Transport != ServerTransport.Https)
        {
            throw directive.Error("'https' sets limits of an https:// block; this block is not one");
        }
        int? connections = null;
        int? streams = null;
        foreach (var option in directive.Block)
        {
            option.ExpectNoBlock();
            switch (option.Name)
            {
                case "max_connections":
                    connections = connections is null ? Limit(option) : throw option.Error("max_connections already defined for this server block");
                    break;
                case "max_streams":
                    streams = streams is null ? Limit(option) : throw option.Error("max_streams already defined for this server block");
                    break;
                default:
                    throw directive.UnknownSubdirective(option);
            }
        }
        block.Https = block.Https with
        {
            MaxConnections = connections ?? block.Https.MaxConnections,
            MaxStreams = streams ?? block.Https.MaxStreams,
        };
    }

    private static int Limit(Directive option)
    {
        option.ExpectArgCount(1, 1);
        var text = option.Args[0].Text;
        if (!long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long value))
        {
            throw option.Args[0].Error($"invalid {option.Name} value '{text}'");
        }
        if (value < 0)
        {
            throw option.Args[0].Error($"{option.Name} must be a non-negative integer: {text}");
        }
        // CoreDNS bounds max_streams by HTTP/2's 32-bit setting; int.MaxValue is as many as any server keeps.
        return value <= int.MaxValue ? (int)value : throw option.Args[0].Error($"{option.Name} must not exceed {int.MaxValue.ToString(CultureInfo.InvariantCulture)}: {text}");
    }
}
