using System.Security.Cryptography;
using System.Text;

namespace ClusterDns.Corefile;

/// <summary>Parses CoreDNS Corefile syntax into server blocks and directives (structure only).</summary>
public static class CorefileParser
{
    private static readonly UTF8Encoding s_strictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>
    /// Parses <paramref name="text"/>, reported as <paramref name="fileName"/> in errors and the directory imports
    /// are relative to. <paramref name="environment"/> resolves {$NAME} and {%NAME%} (default: the process
    /// environment); <paramref name="includes"/> resolves "import PATTERN" (default: the file system).
    /// </summary>
    /// <exception cref="CorefileException">Any syntax error, with file and line.</exception>
    public static CorefileDocument Parse(string text, string fileName, Func<string, string?>? environment = null,
        ICorefileIncludeResolver? includes = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(fileName);
        return Parse(text, Encoding.UTF8.GetBytes(text), fileName, environment, includes);
    }

    /// <summary>Reads and parses the Corefile at <paramref name="path"/>; an unreadable file is a
    /// <see cref="CorefileException"/> at line 0.</summary>
    public static CorefileDocument ParseFile(string path, Func<string, string?>? environment = null,
        ICorefileIncludeResolver? includes = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new CorefileException(path, 0, $"cannot read the Corefile: {ex.Message}");
        }

        return Parse(Decode(bytes, path), bytes, path, environment, includes);
    }

    internal static string Decode(byte[] bytes, string file)
    {
        try
        {
            return s_strictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            throw new CorefileException(file, 1, "file is not valid UTF-8");
        }
    }

    private static CorefileDocument Parse(string text, byte[] bytes, string fileName, Func<string, string?>? environment,
        ICorefileIncludeResolver? includes)
    {
        environment ??= Environment.GetEnvironmentVariable;
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA512);
        hash.AppendData(bytes);
        List<Token> tokens = CorefileLexer.Tokenize(text, fileName, environment);
        var stream = new TokenStream(tokens, fileName, environment, includes ?? FileSystemIncludeResolver.Instance, hash);
        List<ServerBlock> blocks = new CorefileSyntaxParser(stream, fileName).ParseServerBlocks();
        return new CorefileDocument(blocks, text, Convert.ToHexStringLower(hash.GetHashAndReset()));
    }
}
