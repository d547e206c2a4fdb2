namespace ClusterDns.Corefile.Tests;

/// <summary>Every syntax error the parser reports, with its exact line and reason.</summary>
public sealed class ParserErrorTests
{
    public static TheoryData<string, string, int, string> Cases() => new()
    {
        { "unterminated quote", ".:53 {\n  log\n  answer \"abc\n}\n", 3, "unterminated quoted string" },
        { "unterminated raw", ".:53 {\n  answer `abc\n}\n", 2, "unterminated raw (backquoted) string" },
        { "unclosed server block", ".:53 {\n  errors\n", 1, "'{' is never closed" },
        { "unclosed directive block", ".:53 {\n  errors\n  health {\n    lameduck 5s\n}\n", 1, "'{' is never closed" },
        { "unclosed inner block", "a.org {\n}\n.:53 {\n  kubernetes {\n    pods insecure\n", 4, "'{' is never closed" },
        { "stray close at top", ".:53 {\n  errors\n}\n}\n", 4, "unexpected '}'" },
        { "stray close braceless", "example.org\nerrors\n}\n", 3, "unexpected '}'" },
        { "stray close as first token", "\n\n}\n", 3, "unexpected '}'" },
        { "block without keys", "# nothing\n{\n  errors\n}\n", 2, "server block has no keys" },
        { "empty file", "", 1, "no server blocks defined" },
        { "only comments", "# a\n# b\n", 1, "no server blocks defined" },
        { "duplicate in one block", "a.org b.org A.ORG. {\n}\n", 1, "zone 'a.org.:53' is defined more than once" },
        { "quic scheme", ".:53 {\n}\nquic://.:853 {\n}\n", 3, "scheme 'quic://' in 'quic://.:853' is not supported yet (only dns://, tls:// and https:// are)" },
        { "grpc scheme", "grpc://example.org {\n}\n", 1, "scheme 'grpc://' in 'grpc://example.org' is not supported yet (only dns://, tls:// and https:// are)" },
        { "tls zone twice on its default port", "tls://example.org tls://example.org:853 {\n}\n", 1, "zone 'example.org.:853' is defined more than once" },
        { "unknown scheme", "ftp://example.org {\n}\n", 1, "unknown scheme 'ftp://' in 'ftp://example.org'" },
        { "bad port", "example.org:99999 {\n}\n", 1, "port '99999' in 'example.org:99999' is out of range (0-65535)" },
        { "no zone", ":53 {\n}\n", 1, "':53' names no zone (use '.' for the root)" },
        { "garbage key", "exa$mple.org {\n}\n", 1, "'exa$mple.org' is not a valid zone name: character '$' is not allowed" },
        { "bad cidr key", "10.0.0.0/33 {\n}\n", 1, "'10.0.0.0/33' is not a valid CIDR: prefix length must be 0 to 32" },
        { "trailing comma then brace", "a.org, {\n}\n", 1, "expected another key after ','" },
        { "trailing comma at end", "a.org,", 1, "expected another key after ','" },
        { "double comma", "a.org,,b.org {\n}\n", 1, "empty key in 'a.org,,b.org'" },
        { "brace on its own line inside block", ".:53 {\n  kubernetes cluster.local\n  {\n  }\n}\n", 3, "unexpected '{' (a block opens on the line of its directive)" },
        { "words after a closed block", ".:53 {\n  health { lameduck 5s } ready\n}\n", 2, "unexpected 'ready' after '}' (start a new line)" },
        { "snippet without body", "(common)\n.:53 {\n}\n", 1, "snippet '(common)' needs a '{ … }' body" },
        { "snippet unclosed", ".:53 {\n}\n(common) {\n  errors\n", 3, "'{' is never closed" },
        { "snippet defined twice", "(a) {\n}\n(a) {\n}\n.:53 {\n}\n", 3, "snippet 'a' is defined more than once" },
        { "import without target", ".:53 {\n  import\n}\n", 2, "import needs a snippet name or a file pattern" },
        { "snippet placeholder missing", "(s) {\n  log {args[1]}\n}\n.:53 {\n  import s one\n}\n", 5, "import 's': placeholder {args[1]} at Corefile:2 needs an argument, but 1 given" },
        { "snippet cycle", "(a) {\n  import b\n}\n(b) {\n  import a\n}\n.:53 {\n  import a\n}\n", 5, "import cycle: snippet 'a' -> snippet 'b' -> snippet 'a'" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Reports_the_line_and_reason(string name, string text, int line, string reason)
    {
        _ = name;
        var error = Assert.Throws<CorefileException>(() => CorefileParser.Parse(text, "Corefile", _ => null, new NoIncludes()));

        Assert.Equal(reason, error.Reason);
        Assert.Equal(line, error.Line);
        Assert.Equal("Corefile", error.File);
        Assert.Equal($"Corefile:{line}: {reason}", error.Message);
    }

    [Fact]
    public void Deep_nesting_is_an_error_not_a_stack_overflow()
    {
        string text = ".:53 {\n" + string.Concat(Enumerable.Repeat("a {\n", 5000)) + string.Concat(Enumerable.Repeat("}\n", 5001));

        var error = Assert.Throws<CorefileException>(() => CorefileParser.Parse(text, "Corefile", _ => null));

        Assert.Equal(33, error.Line);
        Assert.Equal("blocks nested more than 32 deep", error.Reason);
    }

    [Fact]
    public void Invalid_utf8_is_an_error()
    {
        string path = Path.Combine(Path.GetTempPath(), $"corefile-{Guid.NewGuid():N}");
        File.WriteAllBytes(path, [(byte)'.', (byte)' ', (byte)'{', 0xFF, (byte)'}']);
        try
        {
            var error = Assert.Throws<CorefileException>(() => CorefileParser.ParseFile(path));
            Assert.Equal("file is not valid UTF-8", error.Reason);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void A_missing_file_is_an_error_at_line_zero()
    {
        string path = Path.Combine(Path.GetTempPath(), $"corefile-missing-{Guid.NewGuid():N}");

        var error = Assert.Throws<CorefileException>(() => CorefileParser.ParseFile(path));

        Assert.Equal(0, error.Line);
        Assert.StartsWith("cannot read the Corefile: ", error.Reason, StringComparison.Ordinal);
    }

    /// <summary>An include resolver that finds nothing, so a test never touches the file system.</summary>
    private sealed class NoIncludes : ICorefileIncludeResolver
    {
        public IReadOnlyList<CorefileInclude> Resolve(string pattern, string importingFile) => [];
    }
}
