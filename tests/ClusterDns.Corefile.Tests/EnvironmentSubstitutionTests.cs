namespace ClusterDns.Corefile.Tests;

public sealed class EnvironmentSubstitutionTests
{
    private static readonly Dictionary<string, string> s_variables = new()
    {
        ["ZONE"] = "cluster.local",
        ["PORT"] = "1053",
        ["UPSTREAM"] = "8.8.8.8 1.1.1.1",
        ["WIN"] = "windows",
    };

    private static string? Lookup(string name) => s_variables.GetValueOrDefault(name);

    public static TheoryData<string, string> Lines() => new()
    {
        { "forward {$ZONE}", "forward cluster.local" },
        { "forward x.{$ZONE}:{$PORT}", "forward x.cluster.local:1053" },
        { "forward {%WIN%}", "forward windows" },
        { "forward a{%WIN%}b{$ZONE}c", "forward awindowsbcluster.localc" },
        { "forward \"{$UPSTREAM}\"", "forward 8.8.8.8 1.1.1.1" },
        { "forward {$UPSTREAM}", "forward 8.8.8.8 1.1.1.1" },
        { "forward `{$ZONE}`", "forward {$ZONE}" },
        { "forward {$MISSING}x", "forward x" },
        { "forward {$UNTERMINATED", "forward {$UNTERMINATED" },
    };

    [Theory]
    [MemberData(nameof(Lines))]
    public void Substitutes_variables_inside_tokens(string line, string expected)
    {
        Directive directive = ParseOne(line);

        Assert.Equal(expected, directive.ToString());
    }

    [Fact]
    public void A_value_with_spaces_stays_one_token()
    {
        Directive directive = ParseOne("forward {$UPSTREAM}");

        Assert.Single(directive.Args);
    }

    [Fact]
    public void An_unquoted_token_that_becomes_empty_disappears_but_a_quoted_one_stays()
    {
        Assert.Empty(ParseOne("forward {$MISSING}").Args);
        Assert.Equal(string.Empty, Assert.Single(ParseOne("forward \"{$MISSING}\"").Args).Text);
    }

    [Fact]
    public void Keys_are_substituted()
    {
        CorefileDocument document = CorefileParser.Parse("{$ZONE}:{$PORT} {\n}\n", "Corefile", Lookup);

        Assert.Equal(new ZoneAddress("cluster.local.", 1053), Assert.Single(document.ServerBlocks[0].Keys));
    }

    [Fact]
    public void The_process_environment_is_the_default()
    {
        string name = $"CLUSTERDNS_TEST_{Guid.NewGuid():N}";
        Environment.SetEnvironmentVariable(name, "from-process");
        try
        {
            CorefileDocument document = CorefileParser.Parse($".:53 {{\n  log {{${name}}}\n}}\n", "Corefile");
            Assert.Equal("from-process", document.ServerBlocks[0].Directives[0].Args[0].Text);
        }
        finally
        {
            Environment.SetEnvironmentVariable(name, null);
        }
    }

    private static Directive ParseOne(string line) =>
        CorefileParser.Parse($".:53 {{\n  {line}\n}}\n", "Corefile", Lookup).ServerBlocks[0].Directives[0];
}
