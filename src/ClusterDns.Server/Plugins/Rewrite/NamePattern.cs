using System.Text.RegularExpressions;

namespace ClusterDns.Server.Plugins.Rewrite;

/// <summary>How a rule's FROM is compared with the question name (CoreDNS's match types).</summary>
internal enum NameMatchKind : byte
{
    Exact,
    Prefix,
    Suffix,
    Substring,
    Regex,
}

/// <summary>
/// A name match on the lower-cased, fully qualified name text ("foo.example.com."). Matching takes a span so
/// that a query no rule matches allocates nothing; producing the replacement allocates (matched queries only).
/// </summary>
internal sealed class NamePattern
{
    private readonly string _from;
    private readonly Regex? _regex;

    public NamePattern(NameMatchKind kind, string from, Regex? regex)
    {
        Kind = kind;
        _from = from;
        _regex = regex;
    }

    public NameMatchKind Kind { get; }

    public bool IsMatch(ReadOnlySpan<char> name) => Kind switch
    {
        NameMatchKind.Exact => name.SequenceEqual(_from),
        NameMatchKind.Prefix => name.StartsWith(_from, StringComparison.Ordinal),
        NameMatchKind.Suffix => name.EndsWith(_from, StringComparison.Ordinal),
        NameMatchKind.Substring => name.Contains(_from, StringComparison.Ordinal),
        _ => _regex!.IsMatch(name),
    };

    /// <summary>The name <paramref name="name"/> becomes under this pattern with replacement <paramref name="to"/>.</summary>
    public string Replace(string name, string to) => Kind switch
    {
        NameMatchKind.Exact => to,
        NameMatchKind.Prefix => to + name[_from.Length..],
        NameMatchKind.Suffix => name[..^_from.Length] + to,
        NameMatchKind.Substring => name.Replace(_from, to, StringComparison.Ordinal),
        _ => ExpandGroups(_regex!.Match(name), to),
    };

    /// <summary>Fills <c>{0}</c>…<c>{9}</c> in <paramref name="template"/> with the match's groups, as CoreDNS does.</summary>
    public static string ExpandGroups(Match match, string template)
    {
        var result = template;
        for (int i = match.Groups.Count - 1; i >= 0; i--)
        {
            result = result.Replace("{" + i + "}", match.Groups[i].Value, StringComparison.Ordinal);
        }
        return result;
    }
}
