using System.Buffers.Binary;
using ClusterDns.Protocol;
using ClusterDns.Server.Pipeline;

namespace ClusterDns.Server.Plugins.Nsid;

/// <summary>
/// CoreDNS's nsid (RFC 5001): when the query's OPT carries an NSID option, whatever answers it gets our NSID in its
/// OPT record. The option is encoded once at setup; queries without NSID pass on untouched.
/// </summary>
internal sealed class NsidHandler : DnsHandler
{
    internal const ushort NsidCode = 3;

    private readonly byte[] _option;

    public NsidHandler(ReadOnlySpan<byte> data)
    {
        _option = new byte[4 + data.Length];
        BinaryPrimitives.WriteUInt16BigEndian(_option, NsidCode);
        BinaryPrimitives.WriteUInt16BigEndian(_option.AsSpan(2), (ushort)data.Length);
        data.CopyTo(_option.AsSpan(4));
    }

    public override string Name => "nsid";

    public override ValueTask<HandlerResult> ServeAsync(DnsQueryContext context)
    {
        var edns = context.Query.Edns;
        if (edns.IsPresent && HasOption(context.Request.Slice(edns.OptionsOffset, edns.OptionsLength), NsidCode))
        {
            context.SetResponseOptions(_option);
        }
        return NextAsync(context);
    }

    /// <summary>True when the OPT RDATA <paramref name="options"/> holds option <paramref name="code"/>; a cut-off option ends the walk.</summary>
    internal static bool HasOption(ReadOnlySpan<byte> options, ushort code)
    {
        while (options.Length >= 4)
        {
            int length = BinaryPrimitives.ReadUInt16BigEndian(options[2..]);
            if (BinaryPrimitives.ReadUInt16BigEndian(options) == code)
            {
                return true;
            }
            if (options.Length < 4 + length)
            {
                return false;
            }
            options = options[(4 + length)..];
        }
        return false;
    }
}
