namespace ClusterDns.Corefile.Tests;

public sealed class DirectiveExtensionsTests
{
    private static Directive Parse(string line) =>
        CorefileParser.Parse($".:53 {{\n  {line}\n}}\n", "Corefile", _ => null).ServerBlocks[0].Directives[0];

    public static TheoryData<string, int, int, string?> ArgCounts() => new()
    {
        { "cache", 0, 1, null },
        { "cache 30", 0, 1, null },
        { "cache 30 40", 0, 1, "'cache' expects at most 1 argument, got 2" },
        { "ready", 0, 0, null },
        { "ready :8181", 0, 0, "'ready' expects no arguments, got 1" },
        { "forward", 2, int.MaxValue, "'forward' expects at least 2 arguments, got 0" },
        { "forward .", 2, int.MaxValue, "'forward' expects at least 2 arguments, got 1" },
        { "forward . 1.1.1.1 8.8.8.8", 2, int.MaxValue, null },
        { "ttl", 1, 1, "'ttl' expects exactly 1 argument, got 0" },
        { "kubeconfig", 1, 2, "'kubeconfig' expects 1 to 2 arguments, got 0" },
        { "kubeconfig a b c", 1, 2, "'kubeconfig' expects 1 to 2 arguments, got 3" },
    };

    [Theory]
    [MemberData(nameof(ArgCounts))]
    public void Checks_the_argument_count(string line, int min, int max, string? reason)
    {
        Directive directive = Parse(line);

        Exception? error = Record.Exception(() => directive.ExpectArgCount(min, max));

        if (reason is null)
        {
            Assert.Null(error);
        }
        else
        {
            Assert.Equal(reason, Assert.IsType<CorefileException>(error).Reason);
        }
    }

    [Fact]
    public void Too_many_arguments_points_at_the_first_extra_one()
    {
        Directive directive = CorefileParser.Parse(".:53 {\n  ttl 30 \"multi\nline\" 40\n}\n", "Corefile", _ => null).ServerBlocks[0].Directives[0];

        var error = Assert.Throws<CorefileException>(() => directive.ExpectArgCount(1, 1));

        Assert.Equal(2, error.Line);
        Assert.Equal("Corefile:2: 'ttl' expects exactly 1 argument, got 3", error.Message);
    }

    [Fact]
    public void Errors_point_at_the_directive_the_argument_and_the_sub_directive()
    {
        CorefileDocument document = CorefileParser.Parse(
            ".:53 {\n  forward . \"multi\nline\" 1.1.1.1 {\n    max_concurrent 1000\n    bogus 1\n  }\n}\n", "Corefile", _ => null);
        Directive forward = document.ServerBlocks[0].Directives[0];

        Assert.Equal("Corefile:2: bad forward", forward.Error("bad forward").Message);
        Assert.Equal("Corefile:3: bad upstream", forward.ArgError(2, "bad upstream").Message);
        Assert.Equal("Corefile:2: missing", forward.ArgError(7, "missing").Message);
        Assert.Equal("Corefile:5: unknown property 'bogus' in 'forward'", forward.UnknownSubdirective(forward.Block[1]).Message);
        Assert.Equal("Corefile:2: 'forward' does not take a block", Assert.Throws<CorefileException>(forward.ExpectNoBlock).Message);
    }
}
