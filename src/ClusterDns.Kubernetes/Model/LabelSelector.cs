namespace ClusterDns.Kubernetes;

/// <summary>
/// A Kubernetes label selector in its string form (<c>app=web,tier!=cache,env in (prod,staging),!legacy</c>),
/// matched client-side where the API cannot filter (manifests, namespace labels).
/// </summary>
public sealed class LabelSelector
{
    private readonly IReadOnlyList<Requirement> _requirements;

    private LabelSelector(IReadOnlyList<Requirement> requirements, string text)
    {
        _requirements = requirements;
        Text = text;
    }

    /// <summary>The selector as given (what is sent as <c>labelSelector</c> to the API server).</summary>
    public string Text { get; }

    public static LabelSelector Parse(string text) =>
        TryParse(text, out var selector, out var error) ? selector : throw new FormatException($"label selector '{text}': {error}");

    public static bool TryParse(string text, out LabelSelector selector, out string? error)
    {
        selector = new LabelSelector([], text);
        error = null;
        var requirements = new List<Requirement>();
        foreach (var part in SplitTopLevel(text))
        {
            var term = part.Trim();
            if (term.Length == 0)
            {
                continue;
            }
            if (!TryParseTerm(term, out var requirement, out error))
            {
                return false;
            }
            requirements.Add(requirement);
        }
        selector = new LabelSelector(requirements, text);
        return true;
    }

    public bool Matches(IReadOnlyDictionary<string, string> labels)
    {
        foreach (var requirement in _requirements)
        {
            bool has = labels.TryGetValue(requirement.Key, out var value);
            bool ok = requirement.Operator switch
            {
                Op.Exists => has,
                Op.NotExists => !has,
                Op.Equals => has && value == requirement.Values[0],
                Op.NotEquals => !has || value != requirement.Values[0],
                Op.In => has && requirement.Values.Contains(value!),
                Op.NotIn => !has || !requirement.Values.Contains(value!),
                _ => false,
            };
            if (!ok)
            {
                return false;
            }
        }
        return true;
    }

    private static IEnumerable<string> SplitTopLevel(string text)
    {
        int depth = 0, start = 0;
        for (int i = 0; i < text.Length; i++)
        {
            switch (text[i])
            {
                case '(': depth++; break;
                case ')': depth--; break;
                case ',' when depth == 0:
                    yield return text[start..i];
                    start = i + 1;
                    break;
            }
        }
        yield return text[start..];
    }

    private static bool TryParseTerm(string term, out Requirement requirement, out string? error)
    {
        requirement = default;
        error = null;
        if (term.StartsWith('!'))
        {
            requirement = new Requirement(term[1..].Trim(), Op.NotExists, []);
            return ValidKey(requirement.Key, out error);
        }
        foreach (var (token, op) in new[] { ("!=", Op.NotEquals), ("==", Op.Equals), ("=", Op.Equals) })
        {
            int at = term.IndexOf(token, StringComparison.Ordinal);
            if (at > 0)
            {
                requirement = new Requirement(term[..at].Trim(), op, [term[(at + token.Length)..].Trim()]);
                return ValidKey(requirement.Key, out error);
            }
        }
        var words = term.Split(' ', 2, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (words.Length == 2)
        {
            var rest = words[1];
            Op? setOp = rest.StartsWith("notin", StringComparison.Ordinal) ? Op.NotIn : rest.StartsWith("in", StringComparison.Ordinal) ? Op.In : null;
            int open = rest.IndexOf('('), close = rest.LastIndexOf(')');
            if (setOp is null || open < 0 || close < open)
            {
                error = $"cannot read '{term}'";
                return false;
            }
            var values = rest[(open + 1)..close].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            requirement = new Requirement(words[0], setOp.Value, values);
            return ValidKey(requirement.Key, out error);
        }
        requirement = new Requirement(term, Op.Exists, []);
        return ValidKey(requirement.Key, out error);
    }

    private static bool ValidKey(string key, out string? error)
    {
        error = key.Length == 0 || key.Contains(' ') ? $"bad label key '{key}'" : null;
        return error is null;
    }

    private enum Op
    {
        Exists,
        NotExists,
        Equals,
        NotEquals,
        In,
        NotIn,
    }

    private readonly record struct Requirement(string Key, Op Operator, string[] Values);
}
