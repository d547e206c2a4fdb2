namespace ClusterDns.Protocol;

/// <summary>One entry of the question section.</summary>
public sealed record DnsQuestion(DnsName Name, RecordType Type, RecordClass Class = RecordClass.IN)
{
    /// <summary>Zone-file-like form: <c>name CLASS TYPE</c>.</summary>
    public override string ToString() => $"{Name} {RecordTypeNames.ToText(Class)} {RecordTypeNames.ToText(Type)}";
}
