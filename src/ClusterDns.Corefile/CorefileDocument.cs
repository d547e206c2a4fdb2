namespace ClusterDns.Corefile;

/// <summary>A parsed Corefile: its server blocks in file order, with imports and snippets expanded.</summary>
public sealed class CorefileDocument
{
    internal CorefileDocument(IReadOnlyList<ServerBlock> serverBlocks, string sourceText, string contentHash)
    {
        ServerBlocks = serverBlocks;
        SourceText = sourceText;
        ContentHash = contentHash;
    }

    public IReadOnlyList<ServerBlock> ServerBlocks { get; }

    /// <summary>The main file's text as given (imports not expanded).</summary>
    public string SourceText { get; }

    /// <summary>Lower-case hex SHA-512 over the main file's bytes followed by every imported file's bytes
    /// in import order; reload compares it to detect a change in any of them.</summary>
    public string ContentHash { get; }
}
