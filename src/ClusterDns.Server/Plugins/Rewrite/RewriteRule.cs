using System.Text.RegularExpressions;
using ClusterDns.Protocol;

namespace ClusterDns.Server.Plugins.Rewrite;

/// <summary>What part of the message a rule rewrites.</summary>
internal enum RewriteField : byte
{
    Name,
    Type,
    Class,
    Ttl,
    Rcode,
    /// <summary>An EDNS0 option of the request (<see cref="Edns0Rule"/>).</summary>
    Edns0,
    /// <summary>CNAME targets of the response; the new target is resolved through the server's own pipeline.</summary>
    Cname,
}

/// <summary>How the names of a response are rewritten after a name rule changed the question.</summary>
internal enum AnswerMode : byte
{
    /// <summary>Owner names equal to the rewritten question go back to the name the client asked.</summary>
    Auto,
    /// <summary>Owner names matching the answer regex are rewritten with its template (and <c>auto</c> as well).</summary>
    Name,
}

/// <summary>One <c>rewrite</c> rule, parsed once at start-up.</summary>
internal sealed class RewriteRule
{
    private int _invalidLogged;

    public required RewriteField Field { get; init; }

    /// <summary><c>continue</c>: later rules see this rule's result; <c>stop</c> (default): no later rule runs.</summary>
    public bool Continue { get; init; }

    public NamePattern? Pattern { get; init; }

    public string To { get; init; } = string.Empty;

    public RecordType FromType { get; init; }
    public RecordType ToType { get; init; }
    public RecordClass FromClass { get; init; }
    public RecordClass ToClass { get; init; }

    /// <summary>ttl rules: answers' TTLs are clamped to [TtlMin, TtlMax] (a single value sets both).</summary>
    public uint TtlMin { get; init; }
    public uint TtlMax { get; init; }

    /// <summary>rcode rules: a response with FromRcode goes to the client with ToRcode.</summary>
    public ResponseCode FromRcode { get; init; }
    public ResponseCode ToRcode { get; init; }

    public AnswerMode Answer { get; init; }
    public Regex? AnswerFrom { get; init; }
    public string AnswerTo { get; init; } = string.Empty;

    /// <summary>answer value: names inside RDATA (CNAME, NS, PTR, MX, SRV targets) matching this are rewritten.</summary>
    public Regex? ValueFrom { get; init; }
    public string ValueTo { get; init; } = string.Empty;

    /// <summary>edns0 rules: the option, the action and its data.</summary>
    public Edns0Rule? Edns0 { get; init; }

    /// <summary>Where the rule was written, for the log line an invalid result produces.</summary>
    public string Origin { get; init; } = string.Empty;

    /// <summary>
    /// Whether the rule applies to a question (name rules, type, class, ttl, rcode). A cname rule applies to every
    /// query, as CoreDNS's does (its pattern is matched against the response's CNAME targets); edns0 rules are
    /// decided on the request's options instead (<see cref="Edns0Rule"/>).
    /// </summary>
    public bool Matches(ReadOnlySpan<char> name, RecordType type, RecordClass recordClass) => Field switch
    {
        RewriteField.Type => type == FromType,
        RewriteField.Class => recordClass == FromClass,
        RewriteField.Cname or RewriteField.Edns0 => true,
        _ => Pattern!.IsMatch(name),
    };

    /// <summary>True only the first time: a rule that keeps producing invalid names logs once, not per query.</summary>
    public bool FirstInvalid() => Interlocked.Exchange(ref _invalidLogged, 1) == 0;
}
