using System.Text.RegularExpressions;
using ClusterDns.Server.Config;
using ClusterDns.Server.Plugins;

namespace ClusterDns.Deploy.Tests;

/// <summary>docs/migration.md's plugin lists say what this build implements, so they cannot go stale.</summary>
public sealed class MigrationDocTests
{
    private static string Section(string heading, string nextHeading)
    {
        string text = File.ReadAllText(Repository.PathOf("docs", "migration.md"));
        int start = text.IndexOf(heading, StringComparison.Ordinal);
        int end = text.IndexOf(nextHeading, start + 1, StringComparison.Ordinal);
        Assert.True(start >= 0 && end > start, $"docs/migration.md has no '{heading}' section before '{nextHeading}'");
        return text[start..end];
    }

    private static SortedSet<string> Implemented() => new(BuiltInPlugins.All.Select(p => p.Name), StringComparer.Ordinal);

    [Fact]
    public void The_supported_table_lists_exactly_the_built_in_plugins()
    {
        string table = Section("## CoreDNS plugins", "Not implemented");
        var listed = new SortedSet<string>(Regex.Matches(table, @"^\| `(?<name>[a-z0-9_]+)` \|", RegexOptions.Multiline).Select(m => m.Groups["name"].Value), StringComparer.Ordinal);
        Assert.Equal(Implemented(), listed);
    }

    [Fact]
    public void The_not_implemented_list_is_every_other_coredns_plugin()
    {
        // The first column of the table of plugins we lack, each with its reason.
        string table = Section("Not implemented", "## What answers differently");
        var listed = new SortedSet<string>(
            Regex.Matches(table, @"^\| (?<names>[^|]+) \|", RegexOptions.Multiline)
                .SelectMany(row => Regex.Matches(row.Groups["names"].Value, "`(?<name>[a-z0-9_]+)`").Select(m => m.Groups["name"].Value)),
            StringComparer.Ordinal);
        var expected = new SortedSet<string>(PluginOrder.Names.Where(n => !Implemented().Contains(n)), StringComparer.Ordinal);
        Assert.Equal(expected, listed);
    }
}
