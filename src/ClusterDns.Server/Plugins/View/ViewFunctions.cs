using ClusterDns.Protocol;
using ClusterDns.Server.Pipeline;

namespace ClusterDns.Server.Plugins.View;

/// <summary>
/// The functions CoreDNS's view offers (plugin/pkg/expression): the query's fields without arguments, plus
/// <c>incidr(ip, cidr)</c> and <c>metadata(label)</c> (their nodes are built by the parser).
/// </summary>
internal static class ViewFunctions
{
    private static readonly Dictionary<string, (ExprType Type, Func<ExprScope, ExprValue> Evaluate)> QueryFields = new(StringComparer.Ordinal)
    {
        ["name"] = (ExprType.String, static s => ExprValue.Of(QueryText.Name(s))),
        ["type"] = (ExprType.String, static s => ExprValue.Of(RecordTypeNames.ToText(s.Context.QuestionType))),
        ["class"] = (ExprType.String, static s => ExprValue.Of(RecordTypeNames.ToText(s.Context.Query.Class))),
        ["proto"] = (ExprType.String, static s => ExprValue.Of(s.Context.Transport == TransportKind.Tcp ? "tcp" : "udp")),
        ["size"] = (ExprType.Int, static s => ExprValue.Of(s.Context.RequestLength)),
        ["client_ip"] = (ExprType.String, static s => ClientIp(s)),
        ["port"] = (ExprType.String, static s => ExprValue.Of(QueryText.Number(s, QueryText.ClientPort(s.Context)))),
        ["id"] = (ExprType.Int, static s => ExprValue.Of(s.Context.Query.Header.Id)),
        ["opcode"] = (ExprType.Int, static s => ExprValue.Of((int)s.Context.Query.Header.Opcode)),
        ["do"] = (ExprType.Bool, static s => ExprValue.Of(s.Context.Query.Edns.DnssecOk)),
        ["bufsize"] = (ExprType.Int, static s => ExprValue.Of(BufSize(s.Context))),
        ["server_ip"] = (ExprType.String, static s => ServerIp(s)),
        ["server_port"] = (ExprType.String, static s => ExprValue.Of(QueryText.Number(s, s.Context.LocalPort))),
    };

    /// <summary>Every function name, for error messages.</summary>
    public static string Known => string.Join(", ", QueryFields.Keys.Order(StringComparer.Ordinal).Append("incidr").Append("metadata").Select(n => n + "()"));

    public static bool TryGetQueryField(string name, out ExprType type, out Func<ExprScope, ExprValue> evaluate)
    {
        if (QueryFields.TryGetValue(name, out var field))
        {
            (type, evaluate) = field;
            return true;
        }
        type = ExprType.Any;
        evaluate = null!;
        return false;
    }

    /// <summary>CoreDNS's <c>state.Size()</c>: 65535 over TCP, else the EDNS buffer size, at least 512.</summary>
    private static int BufSize(DnsQueryContext context) =>
        context.Transport == TransportKind.Tcp ? ushort.MaxValue : context.Query.Edns.EffectiveUdpSize;

    private static ExprValue ClientIp(ExprScope scope)
    {
        Span<byte> address = stackalloc byte[16];
        int length = QueryText.ClientAddress(scope.Context, address);
        return ExprValue.Of(QueryText.Address(scope, address[..length]));
    }

    private static ExprValue ServerIp(ExprScope scope)
    {
        Span<byte> address = stackalloc byte[16];
        int length = QueryText.ServerAddress(scope.Context, address);
        return ExprValue.Of(QueryText.Address(scope, address[..length]));
    }
}

/// <summary>A call of one of the query-field functions.</summary>
internal sealed class QueryFieldNode : ExprNode
{
    private readonly Func<ExprScope, ExprValue> _evaluate;

    public QueryFieldNode(string name, ExprType type, Func<ExprScope, ExprValue> evaluate)
    {
        Name = name;
        Type = type;
        _evaluate = evaluate;
    }

    public string Name { get; }

    public override ExprType Type { get; }

    public override ExprValue Evaluate(ExprScope scope) => _evaluate(scope);
}

/// <summary><c>metadata(label)</c>: the answering block's metadata, or "" (CoreDNS's "no metadata").</summary>
internal sealed class MetadataNode : ExprNode
{
    private readonly ExprNode _label;
    private readonly string? _constantLabel;

    public MetadataNode(ExprNode label)
    {
        _label = label;
        _constantLabel = label.Constant is { Kind: ExprValueKind.String } constant ? constant.Text.ToString() : null;
    }

    public override ExprType Type => ExprType.String;

    public override ExprValue Evaluate(ExprScope scope)
    {
        var label = _label.Evaluate(scope);
        if (label.Kind != ExprValueKind.String)
        {
            return ExprValue.Error;
        }
        return ExprValue.Of(scope.Context.GetMetadata(_constantLabel ?? label.Text.ToString()) ?? string.Empty);
    }
}
