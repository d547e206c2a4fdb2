namespace ClusterDns.Corefile.Tests;

/// <summary>Each testdata/golden/NAME.Corefile parses to exactly testdata/golden/NAME.expected.</summary>
public sealed class GoldenCorefileTests
{
    private static readonly string s_directory = Path.Combine(AppContext.BaseDirectory, "testdata", "golden");

    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        foreach (string file in Directory.EnumerateFiles(s_directory, "*.Corefile").Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileNameWithoutExtension(file));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Parses_to_the_expected_structure(string name)
    {
        string path = Path.Combine(s_directory, name + ".Corefile");
        CorefileDocument document = CorefileParser.ParseFile(path, environment: _ => null);

        string actual = CorefileDump.Render(document);

        string expectedPath = Path.Combine(s_directory, name + ".expected");
        if (Environment.GetEnvironmentVariable("COREFILE_UPDATE_GOLDEN") is string sourceDir)
        {
            File.WriteAllText(Path.Combine(sourceDir, name + ".expected"), actual);
        }

        Assert.Equal(File.ReadAllText(expectedPath), actual);
    }
}
