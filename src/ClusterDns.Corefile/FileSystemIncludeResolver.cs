namespace ClusterDns.Corefile;

/// <summary>Resolves import globs against the file system, as CoreDNS does with Go's filepath.Glob.</summary>
public sealed class FileSystemIncludeResolver : ICorefileIncludeResolver
{
    public static FileSystemIncludeResolver Instance { get; } = new();

    public IReadOnlyList<CorefileInclude> Resolve(string pattern, string importingFile)
    {
        string baseDirectory = Path.GetDirectoryName(Path.GetFullPath(importingFile)) ?? Directory.GetCurrentDirectory();
        string fullPattern = Path.GetFullPath(Path.IsPathRooted(pattern) ? pattern : Path.Combine(baseDirectory, pattern));
        var result = new List<CorefileInclude>();
        foreach (string path in GlobPattern.Expand(fullPattern))
        {
            result.Add(new CorefileInclude(path, File.ReadAllBytes(path)));
        }

        return result;
    }
}
