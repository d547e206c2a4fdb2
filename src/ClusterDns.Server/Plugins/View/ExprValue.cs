namespace ClusterDns.Server.Plugins.View;

/// <summary>The static type of an expression node, checked when the Corefile is read (as expr-lang's compiler does).</summary>
internal enum ExprType : byte
{
    Any,
    Bool,
    Int,
    String,
    Array,
}

internal enum ExprValueKind : byte
{
    /// <summary>A run-time failure (expr-lang's error): the view does not match.</summary>
    Error,
    Bool,
    Int,
    String,
    Array,
}

/// <summary>
/// A value during evaluation. Text is a slice of a constant or of the evaluation's scratch buffer, so reading
/// <c>name()</c> or <c>client_ip()</c> allocates nothing.
/// </summary>
internal readonly struct ExprValue
{
    private ExprValue(ExprValueKind kind, long number, ReadOnlyMemory<char> text, ExprValue[]? items)
    {
        Kind = kind;
        Number = number;
        Text = text;
        Items = items;
    }

    public ExprValueKind Kind { get; }

    /// <summary>The integer, or 1/0 for a boolean.</summary>
    public long Number { get; }

    public ReadOnlyMemory<char> Text { get; }

    public ExprValue[]? Items { get; }

    public bool IsError => Kind == ExprValueKind.Error;

    public bool IsTrue => Kind == ExprValueKind.Bool && Number != 0;

    public static readonly ExprValue Error = default;

    public static readonly ExprValue True = new(ExprValueKind.Bool, 1, default, null);

    public static readonly ExprValue False = new(ExprValueKind.Bool, 0, default, null);

    public static ExprValue Of(bool value) => value ? True : False;

    public static ExprValue Of(long value) => new(ExprValueKind.Int, value, default, null);

    public static ExprValue Of(ReadOnlyMemory<char> text) => new(ExprValueKind.String, 0, text, null);

    public static ExprValue Of(string text) => new(ExprValueKind.String, 0, text.AsMemory(), null);

    public static ExprValue Of(ExprValue[] items) => new(ExprValueKind.Array, 0, default, items);

    /// <summary>expr-lang's <c>==</c>: values of different kinds are unequal.</summary>
    public bool EqualTo(in ExprValue other)
    {
        if (Kind != other.Kind)
        {
            return false;
        }
        return Kind switch
        {
            ExprValueKind.Bool or ExprValueKind.Int => Number == other.Number,
            ExprValueKind.String => Text.Span.SequenceEqual(other.Text.Span),
            _ => false,
        };
    }

    public override string ToString() => Kind switch
    {
        ExprValueKind.Bool => Number != 0 ? "true" : "false",
        ExprValueKind.Int => Number.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ExprValueKind.String => Text.ToString(),
        ExprValueKind.Array => "[...]",
        _ => "error",
    };
}
