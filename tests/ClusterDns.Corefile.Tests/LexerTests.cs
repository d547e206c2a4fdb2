namespace ClusterDns.Corefile.Tests;

public sealed class LexerTests
{
    private static List<Token> Lex(string text) => CorefileLexer.Tokenize(text, "Corefile", _ => null);

    public static TheoryData<string, string[]> Words() => new()
    {
        { "a b\tc", ["a", "b", "c"] },
        { "a#comment\nb", ["a", "b"] },
        { "\"a#b\" c", ["a#b", "c"] },
        { "\"a\"b", ["a", "b"] },
        { "a\"b\"", ["a\"b\""] },
        { "\"\\\"x\\\"\"", ["\"x\""] },
        { "\"a\\\\b\"", ["a\\b"] },
        { "\"a\\nb\"", ["a\\nb"] },
        { "`a \\\" b`", ["a \\\" b"] },
        { "\uFEFFa", ["a"] },
        { "a\r\nb\r\n", ["a", "b"] },
        { "{a}", ["{a}"] },
        { "\"{\" }", ["{", "}"] },
    };

    [Theory]
    [MemberData(nameof(Words))]
    public void Splits_words(string text, string[] expected)
    {
        Assert.Equal(expected, Lex(text).Select(t => t.Text));
    }

    [Fact]
    public void Tracks_lines_across_multi_line_quotes_and_crlf()
    {
        List<Token> tokens = Lex("a \"b\r\nc\"  d\r\ne");

        Assert.Equal([1, 1, 2, 3], tokens.Select(t => t.Line));
        Assert.Equal("b\nc", tokens[1].Text);
        Assert.Equal([true, false, false, true], tokens.Select(t => t.StartsLine));
    }

    [Fact]
    public void Only_unquoted_braces_are_structural()
    {
        List<Token> tokens = Lex("{ \"{\" `}` }");

        Assert.Equal([true, false, false, true], tokens.Select(t => t.IsStructural));
        Assert.Equal([false, true, true, false], tokens.Select(t => t.WasQuoted));
    }
}
