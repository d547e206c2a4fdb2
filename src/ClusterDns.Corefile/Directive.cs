namespace ClusterDns.Corefile;

/// <summary>A directive line (or sub-directive line inside a block): name, arguments, optional block.</summary>
public sealed class Directive
{
    internal Directive(Token name, IReadOnlyList<Token> args, IReadOnlyList<Directive> block, bool hasBlock)
    {
        NameToken = name;
        Args = args;
        Block = block;
        HasBlock = hasBlock;
    }

    public string Name => NameToken.Text;

    public Token NameToken { get; }

    public IReadOnlyList<Token> Args { get; }

    /// <summary>Sub-directives of the block; empty when there is no block or the block is empty.</summary>
    public IReadOnlyList<Directive> Block { get; }

    /// <summary>True when the directive had a "{ … }" block, even an empty one.</summary>
    public bool HasBlock { get; }

    public string File => NameToken.File;

    public int Line => NameToken.Line;

    public override string ToString() => Args.Count == 0 ? Name : $"{Name} {string.Join(' ', Args.Select(a => a.Text))}";
}
