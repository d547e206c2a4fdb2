using ClusterDns.Protocol;
using ClusterDns.Server.Pipeline;

namespace ClusterDns.Server.Plugins.Chaos;

/// <summary>
/// CoreDNS's chaos: CH TXT queries for version.bind/version.server, authors.bind and hostname.bind/id.server are
/// answered with TTL 0 TXT records; everything else passes on. Every TXT RDATA is encoded at setup.
/// </summary>
internal sealed class ChaosHandler(ChaosOptions options) : DnsHandler
{
    private static readonly byte[] VersionBind = Wire("version.bind.");
    private static readonly byte[] VersionServer = Wire("version.server.");
    private static readonly byte[] AuthorsBind = Wire("authors.bind.");
    private static readonly byte[] HostnameBind = Wire("hostname.bind.");
    private static readonly byte[] IdServer = Wire("id.server.");

    private readonly byte[] _version = Txt(options.Version);
    private readonly byte[] _hostname = Txt(options.Hostname);
    private readonly byte[][] _authors = options.Authors.Select(Txt).ToArray();

    public override string Name => "chaos";

    public override ValueTask<HandlerResult> ServeAsync(DnsQueryContext context)
    {
        if (context.Query.Class != RecordClass.CH || context.QuestionType != RecordType.TXT)
        {
            return NextAsync(context);
        }
        var name = context.LowerName;
        if (name.SequenceEqual(VersionBind) || name.SequenceEqual(VersionServer))
        {
            return Answer(context, [_version]);
        }
        if (name.SequenceEqual(HostnameBind) || name.SequenceEqual(IdServer))
        {
            return Answer(context, [_hostname]);
        }
        if (name.SequenceEqual(AuthorsBind))
        {
            return Answer(context, _authors);
        }
        return NextAsync(context);
    }

    private ValueTask<HandlerResult> Answer(DnsQueryContext context, ReadOnlySpan<byte[]> records)
    {
        var writer = context.BeginResponse();
        bool ok = true;
        foreach (var rdata in records)
        {
            ok = ok && writer.TryWriteRecordAt(DnsHeader.Size, RecordType.TXT, (ushort)RecordClass.CH, 0, rdata, MessageSection.Answer);
        }
        context.CompleteResponse(ref writer, ResponseCode.NoError, authoritative: false, truncated: !ok);
        context.WrittenBy = Name;
        return new ValueTask<HandlerResult>(HandlerResult.Written(ResponseCode.NoError));
    }

    /// <summary>One character string; the text is cut to 255 bytes (CoreDNS's trim).</summary>
    internal static byte[] Txt(string text)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(text);
        int length = Math.Min(bytes.Length, 255);
        var data = new byte[length + 1];
        data[0] = (byte)length;
        bytes.AsSpan(0, length).CopyTo(data.AsSpan(1));
        return data;
    }

    private static byte[] Wire(string name) => DnsName.Parse(name).Wire.ToArray();
}
