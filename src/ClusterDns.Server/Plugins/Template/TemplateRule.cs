using System.Text.RegularExpressions;
using ClusterDns.Protocol;

namespace ClusterDns.Server.Plugins.Template;

/// <summary>One <c>template CLASS TYPE [ZONE…] { … }</c> directive, parsed and compiled at start-up.</summary>
internal sealed class TemplateRule
{
    /// <summary>Lower-cased wire zones this rule answers for.</summary>
    public required byte[][] Zones { get; init; }
    public required string[] ZoneTexts { get; init; }
    /// <summary>ANY matches every class.</summary>
    public required RecordClass Class { get; init; }
    /// <summary>ANY matches every type.</summary>
    public required RecordType Type { get; init; }
    /// <summary>Tried in order, the first that matches wins; <c>.*</c> when none is given.</summary>
    public required Regex[] Regexes { get; init; }
    public required TemplateText[] Answer { get; init; }
    public required TemplateText[] Additional { get; init; }
    public required TemplateText[] Authority { get; init; }
    public ResponseCode Rcode { get; init; } = ResponseCode.NoError;
    /// <summary>RFC 8914 INFO-CODE and EXTRA-TEXT from <c>ederror</c>, when given.</summary>
    public ushort? ExtendedError { get; init; }
    public string ExtendedErrorReason { get; init; } = "";
    /// <summary>Null: no fallthrough; empty: every name; else only names under these lower-cased wire zones.</summary>
    public byte[][]? Fallthrough { get; init; }
}
