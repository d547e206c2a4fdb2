using System.Text;
using ClusterDns.Corefile;
using ClusterDns.Server.Config;

namespace ClusterDns.Server.Plugins.Nsid;

/// <summary>
/// <c>nsid [DATA]</c>: DATA (several arguments are joined with spaces, as CoreDNS) or, by default, the host name.
/// At most 255 bytes, so the option always leaves room for an answer in a 512-byte reply.
/// </summary>
public sealed class NsidSetup : IPluginSetup
{
    public const int MaxDataLength = 255;

    public string Name => "nsid";

    public void Setup(Directive directive, ServerBlockBuilder block)
    {
        directive.ExpectNoBlock();
        if (block.Handlers.Any(h => h is NsidHandler))
        {
            throw directive.Error("'nsid' may appear only once in a server block");
        }
        block.AddHandler(new NsidHandler(Parse(directive)));
    }

    internal static byte[] Parse(Directive directive)
    {
        string text = directive.Args.Count == 0 ? DefaultData() : string.Join(' ', directive.Args.Select(a => a.Text));
        var data = Encoding.UTF8.GetBytes(text);
        if (data.Length > MaxDataLength)
        {
            throw directive.ArgError(0, $"nsid data is {data.Length} bytes; at most {MaxDataLength} are allowed");
        }
        return data;
    }

    private static string DefaultData()
    {
        try
        {
            var name = System.Net.Dns.GetHostName();
            return string.IsNullOrEmpty(name) ? "localhost" : name;
        }
        catch (System.Net.Sockets.SocketException)
        {
            return "localhost";
        }
    }
}
