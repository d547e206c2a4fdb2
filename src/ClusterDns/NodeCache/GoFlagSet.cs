using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace ClusterDns.NodeCache;

/// <summary>
/// Go's <c>flag</c> package syntax, which node-cache's DaemonSets are written in: <c>-name</c> or <c>--name</c>,
/// <c>-name=value</c> or <c>-name value</c>, and a boolean only as <c>-name</c> or <c>-name=false</c> (a following
/// word is never its value). Parsing stops at the first non-flag or after <c>--</c>. Errors read as Go's do.
/// </summary>
internal sealed class GoFlagSet
{
    private readonly Dictionary<string, Flag> _flags = new(StringComparer.Ordinal);

    private sealed class Flag(string name, string usage, string defaultText, bool isBool, Func<string, string?> set)
    {
        public string Name => name;

        public string Usage => usage;

        public string DefaultText => defaultText;

        public bool IsBool => isBool;

        /// <summary>Stores the value; returns the reason it is not one, or null.</summary>
        public Func<string, string?> Set => set;
    }

    /// <summary>Words after the flags (Go's <c>flag.Args()</c>).</summary>
    public IReadOnlyList<string> Rest { get; private set; } = [];

    public void String(string name, string defaultValue, string usage, Action<string> set) =>
        _flags.Add(name, new Flag(name, usage, defaultValue, false, v =>
        {
            set(v);
            return null;
        }));

    public void Bool(string name, bool defaultValue, string usage, Action<bool> set) =>
        _flags.Add(name, new Flag(name, usage, defaultValue ? "true" : "false", true, v =>
        {
            if (!TryParseBool(v, out bool value))
            {
                return "parse error";
            }
            set(value);
            return null;
        }));

    /// <summary>A flag whose value is checked by <paramref name="set"/>, which returns the reason it is bad or null.</summary>
    public void Value(string name, string defaultText, string usage, Func<string, string?> set) =>
        _flags.Add(name, new Flag(name, usage, defaultText, false, set));

    /// <summary>Parses <paramref name="args"/>; on failure, <paramref name="error"/> is Go's message for it.</summary>
    public bool TryParse(IReadOnlyList<string> args, [NotNullWhen(false)] out string? error, out bool helpRequested)
    {
        error = null;
        helpRequested = false;
        int i = 0;
        while (i < args.Count)
        {
            string arg = args[i];
            if (arg.Length < 2 || arg[0] != '-')
            {
                break;
            }
            int dashes = arg[1] == '-' ? 2 : 1;
            if (dashes == 2 && arg.Length == 2)
            {
                i++;
                break;
            }
            i++;
            string name = arg[dashes..];
            if (name.Length == 0 || name[0] == '-' || name[0] == '=')
            {
                error = $"bad flag syntax: {arg}";
                return false;
            }
            string? value = null;
            int equals = name.IndexOf('=', StringComparison.Ordinal);
            if (equals >= 0)
            {
                value = name[(equals + 1)..];
                name = name[..equals];
            }
            if (!_flags.TryGetValue(name, out var flag))
            {
                if (name is "h" or "help")
                {
                    helpRequested = true;
                    return true;
                }
                error = $"flag provided but not defined: -{name}";
                return false;
            }
            if (value is null)
            {
                if (flag.IsBool)
                {
                    value = "true";
                }
                else if (i < args.Count)
                {
                    value = args[i++];
                }
                else
                {
                    error = $"flag needs an argument: -{name}";
                    return false;
                }
            }
            if (flag.Set(value) is { } problem)
            {
                error = $"invalid {(flag.IsBool ? "boolean " : string.Empty)}value \"{value}\" for flag -{name}: {problem}";
                return false;
            }
        }
        Rest = args.Skip(i).ToArray();
        return true;
    }

    /// <summary>The flag list as Go's <c>PrintDefaults</c> lays it out, sorted by name.</summary>
    public string Usage()
    {
        var text = new StringBuilder();
        foreach (var flag in _flags.Values.OrderBy(f => f.Name, StringComparer.Ordinal))
        {
            text.Append("  -").Append(flag.Name).Append(flag.IsBool ? string.Empty : " value").Append('\n');
            text.Append("    \t").Append(flag.Usage);
            if (flag.DefaultText.Length > 0 && flag.DefaultText != "false")
            {
                text.Append(" (default ").Append(flag.IsBool ? flag.DefaultText : $"\"{flag.DefaultText}\"").Append(')');
            }
            text.Append('\n');
        }
        return text.ToString();
    }

    /// <summary>strconv.ParseBool.</summary>
    private static bool TryParseBool(string text, out bool value)
    {
        switch (text)
        {
            case "1" or "t" or "T" or "TRUE" or "true" or "True":
                value = true;
                return true;
            case "0" or "f" or "F" or "FALSE" or "false" or "False":
                value = false;
                return true;
            default:
                value = false;
                return false;
        }
    }
}
