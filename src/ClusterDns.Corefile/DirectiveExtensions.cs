using System.Globalization;

namespace ClusterDns.Corefile;

/// <summary>Error helpers for plugin setup code, so every plugin reports a bad directive the same way.</summary>
public static class DirectiveExtensions
{
    /// <summary>An error at the directive's line: "{file}:{line}: {reason}".</summary>
    public static CorefileException Error(this Directive directive, string reason) =>
        new(directive.File, directive.Line, reason);

    /// <summary>An error at the line of argument <paramref name="index"/> (the directive's line if there is none).</summary>
    public static CorefileException ArgError(this Directive directive, int index, string reason) =>
        index >= 0 && index < directive.Args.Count ? directive.Args[index].Error(reason) : directive.Error(reason);

    /// <summary>Throws unless the directive has between <paramref name="min"/> and <paramref name="max"/> arguments.</summary>
    public static void ExpectArgCount(this Directive directive, int min, int max)
    {
        int count = directive.Args.Count;
        if (count >= min && count <= max)
        {
            return;
        }

        string expected = (min, max) switch
        {
            (0, 0) => "no arguments",
            _ when min == max => $"exactly {Arguments(min)}",
            _ when count < min && max == int.MaxValue => $"at least {Arguments(min)}",
            _ when count < min => $"{min} to {max} arguments",
            _ when min == 0 => $"at most {Arguments(max)}",
            _ => $"{min} to {max} arguments",
        };
        CorefileException error = count > max ? directive.ArgError(max, Message()) : directive.Error(Message());
        throw error;

        string Message() => $"'{directive.Name}' expects {expected}, got {count.ToString(CultureInfo.InvariantCulture)}";
    }

    /// <summary>Throws unless the directive has no "{ … }" block.</summary>
    public static void ExpectNoBlock(this Directive directive)
    {
        if (directive.HasBlock)
        {
            throw directive.Error($"'{directive.Name}' does not take a block");
        }
    }

    /// <summary>"unknown property 'x' in 'forward'" at the sub-directive's line.</summary>
    public static CorefileException UnknownSubdirective(this Directive directive, Directive sub) =>
        sub.Error($"unknown property '{sub.Name}' in '{directive.Name}'");

    private static string Arguments(int n) => n == 1 ? "1 argument" : $"{n.ToString(CultureInfo.InvariantCulture)} arguments";
}
