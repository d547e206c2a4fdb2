using System.Text;

namespace ClusterDns.Corefile;

/// <summary>Replaces {$NAME} and {%NAME%} in a token with the variable's value; an unset variable is empty.</summary>
internal static class EnvironmentSubstitution
{
    public static string Apply(string text, Func<string, string?> environment)
    {
        if (!text.Contains('{'))
        {
            return text;
        }

        // Windows style first, as CoreDNS does, so "{%A%}" is never read as a "{$" reference.
        text = Replace(text, "{%", "%}", environment);
        return Replace(text, "{$", "}", environment);
    }

    private static string Replace(string text, string open, string close, Func<string, string?> environment)
    {
        int start = text.IndexOf(open, StringComparison.Ordinal);
        if (start < 0)
        {
            return text;
        }

        var result = new StringBuilder(text.Length);
        int position = 0;
        while (start >= 0)
        {
            int end = text.IndexOf(close, start + open.Length, StringComparison.Ordinal);
            if (end < 0)
            {
                break;
            }

            result.Append(text, position, start - position);
            string name = text[(start + open.Length)..end];
            result.Append(environment(name) ?? string.Empty);
            position = end + close.Length;
            start = text.IndexOf(open, position, StringComparison.Ordinal);
        }

        result.Append(text, position, text.Length - position);
        return result.ToString();
    }
}
