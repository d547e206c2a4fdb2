namespace ClusterDns.Corefile;

/// <summary>Finds and reads the files an "import PATTERN" names; the file system by default.</summary>
public interface ICorefileIncludeResolver
{
    /// <summary>
    /// The files matching <paramref name="pattern"/> (a glob, relative to the directory of
    /// <paramref name="importingFile"/> unless absolute), in a stable order; empty when nothing matches.
    /// Throw <see cref="IOException"/> (or a subclass) when the files cannot be listed or read.
    /// </summary>
    IReadOnlyList<CorefileInclude> Resolve(string pattern, string importingFile);
}

/// <summary>One imported file: the path used in error messages and its raw bytes.</summary>
public sealed record CorefileInclude(string Path, byte[] Content);
