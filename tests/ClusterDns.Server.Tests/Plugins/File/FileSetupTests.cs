using ClusterDns.Corefile;
using ClusterDns.Protocol;
using ClusterDns.Server.Plugins.FilePlugin;
using static ClusterDns.Server.Tests.Plugins.FilePlugin.PluginSetupHarness;
using static ClusterDns.Server.Tests.Zones.ZoneQueryHarness;

namespace ClusterDns.Server.Tests.Plugins.FilePlugin;

public sealed class FileSetupTests : IDisposable
{
    private const string Zone = """
        $ORIGIN example.org.
        $TTL 300
        @   IN SOA ns1 hostmaster 1 7200 1800 86400 60
            IN NS  ns1
        ns1 IN A   192.0.2.53
        www IN A   192.0.2.1
        """;

    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private string Corefile => Path.Combine(_folder.Path, "Corefile");

    [Fact]
    public void ServesTheFileRelativeToTheCorefile()
    {
        _folder.Write("db.example.org", Zone);

        var block = Setup(new FileSetup(), "example.org {\n file db.example.org\n}\n", Corefile);
        var response = Query(Handler<FileHandler>(block), "www.example.org.", RecordType.A);

        Assert.Equal(["www.example.org. 300 IN A 192.0.2.1"], Lines(response.Answers));
        Assert.True(response.Header.AuthoritativeAnswer);
    }

    [Fact]
    public void ZonesNamedOnTheDirectiveOverrideTheBlocks()
    {
        _folder.Write("db", Zone.Replace("$ORIGIN example.org.\n", "", StringComparison.Ordinal));

        var block = Setup(new FileSetup(), ". {\n file db example.org example.com\n}\n", Corefile);
        var handler = Handler<FileHandler>(block);

        Assert.Equal(["example.org.", "example.com."], handler.Zones.Zones.Select(z => z.Origin.ToString()).Order(StringComparer.Ordinal).Reverse().ToArray());
        Assert.Equal(["www.example.com. 300 IN A 192.0.2.1"], Lines(Query(handler, "www.example.com.", RecordType.A).Answers));
    }

    [Fact]
    public void ReloadDefaultsToOneMinuteAndZeroDisablesIt()
    {
        _folder.Write("db", Zone);

        var withDefault = Setup(new FileSetup(), "example.org {\n file db\n}\n", Corefile);
        var disabled = Setup(new FileSetup(), "example.org {\n file db {\n reload 0\n }\n}\n", Corefile);

        Assert.Single(withDefault.Context.Components.OfType<ZoneFileWatcher>());
        Assert.Equal(TimeSpan.FromMinutes(1), FileSetup.Parse(withDefault.Source.Directives[0], withDefault).Reload);
        Assert.Empty(disabled.Context.Components);
    }

    public static TheoryData<string, string, string> BadSetups() => new()
    {
        { "a bad zone file line names the zone file and line", "$ORIGIN example.org.\n@ IN SOA ns1 hm 1 2 3 4 5\nwww IN A not-an-address\n", "db:3:" },
        { "a zone without SOA", "$ORIGIN example.org.\nwww 300 IN A 192.0.2.1\n", "no SOA record" },
        { "a record outside the zone", "$ORIGIN example.org.\n@ 300 IN SOA ns1 hm 1 2 3 4 5\nwww.example.net. 300 IN A 192.0.2.1\n", "outside zone" },
    };

    [Theory]
    [MemberData(nameof(BadSetups))]
    public void BadZoneFilesAreStartupErrors(string description, string zoneText, string expected)
    {
        _folder.Write("db", zoneText);

        var error = Assert.Throws<CorefileException>(() => Setup(new FileSetup(), "example.org {\n file db\n}\n", Corefile));

        Assert.Equal(2, error.Line);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty(description));
    }

    [Theory]
    [InlineData("example.org {\n file\n}\n", "expects at least 1 argument")]
    [InlineData("example.org {\n file db {\n reload soon\n }\n}\n", "soon")]
    [InlineData("example.org {\n file db {\n transfer to *\n }\n}\n", "unknown property 'transfer'")]
    [InlineData("example.org {\n file missing.db\n}\n", "cannot read zone file")]
    public void BadDirectivesAreErrors(string corefile, string expected)
    {
        _folder.Write("db", Zone);

        var error = Assert.Throws<CorefileException>(() => Setup(new FileSetup(), corefile, Corefile));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReloadSwapsInAChangedFileAndKeepsTheOldZoneWhenTheNewOneIsBroken()
    {
        string path = _folder.Write("db", Zone);
        var block = Setup(new FileSetup(), "example.org {\n file db {\n reload 10s\n }\n}\n", Corefile);
        var handler = Handler<FileHandler>(block);
        var watcher = Assert.IsType<ZoneFileWatcher>(Assert.Single(block.Context.Components));

        Assert.Equal(ZoneReloadOutcome.Unchanged, watcher.ReloadIfChanged());

        System.IO.File.WriteAllText(path, Zone.Replace("192.0.2.1", "192.0.2.2", StringComparison.Ordinal));
        Assert.Equal(ZoneReloadOutcome.Reloaded, watcher.ReloadIfChanged());
        Assert.Equal(["www.example.org. 300 IN A 192.0.2.2"], Lines(Query(handler, "www.example.org.", RecordType.A).Answers));

        System.IO.File.WriteAllText(path, Zone + "broken IN A 999.1.1.1\n");
        Assert.Equal(ZoneReloadOutcome.Failed, watcher.ReloadIfChanged());
        Assert.Equal(["www.example.org. 300 IN A 192.0.2.2"], Lines(Query(handler, "www.example.org.", RecordType.A).Answers));

        System.IO.File.Delete(path);
        Assert.Equal(ZoneReloadOutcome.Failed, watcher.ReloadIfChanged());
        Assert.Equal(["www.example.org. 300 IN A 192.0.2.2"], Lines(Query(handler, "www.example.org.", RecordType.A).Answers));
    }

    [Fact]
    public async Task TheWatcherStartsAndStops()
    {
        _folder.Write("db", Zone);
        var block = Setup(new FileSetup(), "example.org {\n file db {\n reload 1h\n }\n}\n", Corefile);
        var watcher = Assert.Single(block.Context.Components);

        await watcher.StartAsync(CancellationToken.None);
        await watcher.StopAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
    }
}
