using Xunit;

namespace ClusterDns.Testing.Wire;

/// <summary>Loads the golden packets under testdata/wire: hex bytes, lines starting with ';' say where they came from.</summary>
public static class WireHex
{
    public static string Directory => Path.Combine(AppContext.BaseDirectory, "testdata", "wire");

    public static byte[] Load(string name) => Parse(File.ReadAllText(Path.Combine(Directory, name + ".hex")));

    public static byte[] Parse(string text)
    {
        var hex = new System.Text.StringBuilder();
        foreach (var line in text.Split('\n'))
        {
            if (line.TrimStart().StartsWith(';'))
            {
                continue;
            }
            foreach (char c in line)
            {
                if (Uri.IsHexDigit(c))
                {
                    hex.Append(c);
                }
            }
        }
        return Convert.FromHexString(hex.ToString());
    }

    /// <summary>Every golden packet's name (e.g. "a-edns.query").</summary>
    public static IEnumerable<string> AllNames() =>
        System.IO.Directory.GetFiles(Directory, "*.hex").Select(Path.GetFileNameWithoutExtension).Order()!;

    public static TheoryData<string> AllNamesData()
    {
        var data = new TheoryData<string>();
        foreach (var name in AllNames())
        {
            data.Add(name);
        }
        return data;
    }
}
