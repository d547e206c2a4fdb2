namespace ClusterDns.Testing.FakeApiServer;

/// <summary>Equality-based label selectors: "a=b", "a==b", "a!=b", "a", "!a", comma-separated (all must hold).</summary>
internal static class LabelSelector
{
    public static bool Matches(string? selector, IReadOnlyDictionary<string, string> labels)
    {
        if (string.IsNullOrWhiteSpace(selector)) return true;
        foreach (var raw in selector.Split(','))
        {
            var term = raw.Trim();
            bool ok;
            if (term.Contains("!=", StringComparison.Ordinal))
            {
                var parts = term.Split("!=", 2);
                ok = !labels.TryGetValue(parts[0].Trim(), out var v) || v != parts[1].Trim();
            }
            else if (term.Contains('='))
            {
                var parts = term.Split('=', 2);
                ok = labels.TryGetValue(parts[0].Trim(), out var v) && v == parts[1].TrimStart('=').Trim();
            }
            else if (term.StartsWith('!'))
            {
                ok = !labels.ContainsKey(term[1..].Trim());
            }
            else
            {
                ok = labels.ContainsKey(term);
            }

            if (!ok) return false;
        }

        return true;
    }
}
