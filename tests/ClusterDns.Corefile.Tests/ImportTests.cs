namespace ClusterDns.Corefile.Tests;

/// <summary>Snippets and file imports, against real files in a temporary directory.</summary>
public sealed class ImportTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("corefile-import-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string Write(string relativePath, string text)
    {
        string path = Path.Combine(_root, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    private CorefileDocument ParseMain(string text) => CorefileParser.ParseFile(Write("Corefile", text), _ => null);

    [Fact]
    public void A_snippet_is_expanded_with_its_arguments_and_keeps_its_own_lines()
    {
        CorefileDocument document = ParseMain("""
            (common) {
                errors
                cache {args[0]} {
                    disable success {args[1]}
                }
            }
            .:53 {
                import common 30 cluster.local
                log
            }
            """);

        Directive[] directives = [.. document.ServerBlocks[0].Directives];
        Assert.Equal(["errors", "cache 30", "log"], directives.Select(d => d.ToString()));
        Assert.Equal(2, directives[0].Line);
        Assert.Equal("disable success cluster.local", directives[1].Block[0].ToString());
        Assert.Equal(9, directives[2].Line);
    }

    [Fact]
    public void A_one_line_snippet_and_an_import_between_other_lines()
    {
        CorefileDocument document = ParseMain("(s) { whoami }\n.:53 {\n  errors\n  import s\n  log\n}\n");

        Assert.Equal(["errors", "whoami", "log"], document.ServerBlocks[0].Directives.Select(d => d.Name));
    }

    [Fact]
    public void Imports_work_inside_directive_blocks_including_one_line_blocks()
    {
        CorefileDocument document = ParseMain("(opts) {\n  pods insecure\n  ttl {args[0]}\n}\n.:53 {\n  kubernetes cluster.local {\n    import opts 30\n  }\n  health { import opts 5 }\n}\n");

        Directive[] directives = [.. document.ServerBlocks[0].Directives];
        Assert.Equal(["pods insecure", "ttl 30"], directives[0].Block.Select(d => d.ToString()));
        Assert.Equal(["pods insecure", "ttl 5"], directives[1].Block.Select(d => d.ToString()));
    }

    [Fact]
    public void A_snippet_can_hold_whole_server_blocks()
    {
        CorefileDocument document = ParseMain("(zone) {\n  {args[0]} {\n    file {args[1]}\n  }\n}\nimport zone a.org a.db\nimport zone b.org b.db\n");

        Assert.Equal(["a.org.", "b.org."], document.ServerBlocks.Select(b => b.Keys[0].Zone));
        Assert.Equal("file b.db", document.ServerBlocks[1].Directives[0].ToString());
    }

    [Fact]
    public void Files_are_imported_relative_to_the_importing_file_in_sorted_order()
    {
        Write("conf.d/b.conf", "log\n");
        Write("conf.d/a.conf", "errors\nimport ../extra/*.inc\n");
        Write("extra/x.inc", "whoami\n");
        Write("conf.d/ignored.txt", "nonsense\n");

        CorefileDocument document = ParseMain(".:53 {\n  import conf.d/*.conf\n  cache 30\n}\n");

        Directive[] directives = [.. document.ServerBlocks[0].Directives];
        Assert.Equal(["errors", "whoami", "log", "cache"], directives.Select(d => d.Name));
        Assert.Equal(Path.Combine(_root, "conf.d", "a.conf"), directives[0].File);
        Assert.Equal(1, directives[0].Line);
        Assert.Equal(Path.Combine(_root, "extra", "x.inc"), directives[1].File);
        Assert.Equal(Path.Combine(_root, "Corefile"), directives[3].File);
        Assert.Equal(3, directives[3].Line);
    }

    [Fact]
    public void Server_blocks_can_come_from_imported_files()
    {
        Write("zones/a.server", "a.org {\n  file a.db\n}\n");
        Write("zones/b.server", "b.org {\n  file b.db\n}\n");

        CorefileDocument document = ParseMain(".:53 {\n  forward . 1.1.1.1\n}\nimport zones/*.server\n");

        Assert.Equal([".", "a.org.", "b.org."], document.ServerBlocks.Select(b => b.Keys[0].Zone));
        Assert.Equal(Path.Combine(_root, "zones", "b.server"), document.ServerBlocks[2].File);
    }

    [Fact]
    public void File_arguments_fill_placeholders()
    {
        Write("upstream.conf", "forward . {args[0]}\n");

        CorefileDocument document = ParseMain(".:53 {\n  import upstream.conf 9.9.9.9\n}\n");

        Assert.Equal("forward . 9.9.9.9", document.ServerBlocks[0].Directives[0].ToString());
    }

    [Fact]
    public void A_pattern_matching_nothing_is_an_error()
    {
        var error = Assert.Throws<CorefileException>(() => ParseMain(".:53 {\n  errors\n  import conf.d/*.conf\n}\n"));

        Assert.Equal(3, error.Line);
        Assert.Equal("import 'conf.d/*.conf': no files match", error.Reason);
    }

    [Fact]
    public void An_unknown_name_is_an_error()
    {
        var error = Assert.Throws<CorefileException>(() => ParseMain(".:53 {\n  import commn\n}\n"));

        Assert.Equal("import 'commn': no snippet or file by that name", error.Reason);
    }

    [Fact]
    public void An_import_cycle_names_the_files()
    {
        Write("a.conf", "errors\nimport b.conf\n");
        Write("b.conf", "log\n\nimport a.conf\n");
        string a = Path.Combine(_root, "a.conf");
        string b = Path.Combine(_root, "b.conf");

        var error = Assert.Throws<CorefileException>(() => ParseMain(".:53 {\n  import a.conf\n}\n"));

        Assert.Equal(b, error.File);
        Assert.Equal(3, error.Line);
        Assert.Equal($"import cycle: {Path.Combine(_root, "Corefile")} -> {a} -> {b} -> {a}", error.Reason);
    }

    [Fact]
    public void Importing_the_main_file_is_a_cycle()
    {
        var error = Assert.Throws<CorefileException>(() => ParseMain(".:53 {\n}\nimport Corefile\n"));

        Assert.Equal(3, error.Line);
        Assert.StartsWith("import cycle: ", error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void The_same_file_may_be_imported_twice_without_a_cycle()
    {
        Write("common.conf", "errors\n");

        CorefileDocument document = ParseMain("a.org {\n  import common.conf\n}\nb.org {\n  import common.conf\n}\n");

        Assert.All(document.ServerBlocks, b => Assert.Equal("errors", Assert.Single(b.Directives).Name));
    }

    [Fact]
    public void A_syntax_error_in_an_imported_file_names_that_file()
    {
        string bad = Write("bad.conf", "errors\nlog \"unterminated\n");

        var error = Assert.Throws<CorefileException>(() => ParseMain(".:53 {\n  import bad.conf\n}\n"));

        Assert.Equal(bad, error.File);
        Assert.Equal(2, error.Line);
    }

    [Fact]
    public void The_content_hash_covers_imported_files()
    {
        string included = Write("extra.conf", "errors\n");
        string main = Write("Corefile", ".:53 {\n  import extra.conf\n}\n");

        string first = CorefileParser.ParseFile(main, _ => null).ContentHash;
        string again = CorefileParser.ParseFile(main, _ => null).ContentHash;
        File.WriteAllText(included, "log\n");
        string changed = CorefileParser.ParseFile(main, _ => null).ContentHash;

        Assert.Equal(first, again);
        Assert.NotEqual(first, changed);
        Assert.Equal(128, first.Length);
    }

    [Fact]
    public void The_content_hash_of_a_single_file_is_its_sha512()
    {
        string text = ".:53 {\n  errors\n}\n";

        CorefileDocument document = CorefileParser.Parse(text, "Corefile", _ => null);

        string expected = Convert.ToHexStringLower(System.Security.Cryptography.SHA512.HashData(System.Text.Encoding.UTF8.GetBytes(text)));
        Assert.Equal(expected, document.ContentHash);
        Assert.Equal(text, document.SourceText);
    }

    [Fact]
    public void A_custom_resolver_supplies_imports()
    {
        var resolver = new DictionaryResolver(new() { ["mem.conf"] = "whoami\n" });

        CorefileDocument document = CorefileParser.Parse(".:53 {\n  import mem.conf\n}\n", "Corefile", _ => null, resolver);

        Directive directive = Assert.Single(document.ServerBlocks[0].Directives);
        Assert.Equal("whoami", directive.Name);
        Assert.Equal("mem.conf", directive.File);
        Assert.Equal([("mem.conf", "Corefile")], resolver.Calls);
    }

    [Fact]
    public void A_resolver_failure_is_reported_at_the_import()
    {
        var error = Assert.Throws<CorefileException>(() =>
            CorefileParser.Parse(".:53 {\n\n  import x.conf\n}\n", "Corefile", _ => null, new FailingResolver()));

        Assert.Equal(3, error.Line);
        Assert.Equal("import 'x.conf': disk on fire", error.Reason);
    }

    private sealed class DictionaryResolver(Dictionary<string, string> files) : ICorefileIncludeResolver
    {
        public List<(string Pattern, string ImportingFile)> Calls { get; } = [];

        public IReadOnlyList<CorefileInclude> Resolve(string pattern, string importingFile)
        {
            Calls.Add((pattern, importingFile));
            return files.TryGetValue(pattern, out string? text) ? [new CorefileInclude(pattern, System.Text.Encoding.UTF8.GetBytes(text))] : [];
        }
    }

    private sealed class FailingResolver : ICorefileIncludeResolver
    {
        public IReadOnlyList<CorefileInclude> Resolve(string pattern, string importingFile) => throw new IOException("disk on fire");
    }
}
