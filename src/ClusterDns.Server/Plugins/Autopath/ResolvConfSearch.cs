using System.Text;
using ClusterDns.Protocol;

namespace ClusterDns.Server.Plugins.Autopath;

/// <summary>
/// The search list of a resolv.conf file, as the resolver reads it (resolv.conf(5)): <c>search</c> and
/// <c>domain</c> each set the list and the last one wins; names are made absolute and lower-case. Names that do
/// not parse are left out, as the resolver ignores them.
/// </summary>
internal static class ResolvConfSearch
{
    public static List<DnsName> Parse(string text)
    {
        var search = new List<DnsName>();
        foreach (var rawLine in text.Split('\n'))
        {
            var line = rawLine.Trim();
            if (line.Length == 0 || line[0] is '#' or ';')
            {
                continue;
            }
            var fields = line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (fields[0] is not ("search" or "domain"))
            {
                continue;
            }
            search.Clear();
            var names = fields[0] == "domain" ? fields.Skip(1).Take(1) : fields.Skip(1);
            foreach (var field in names)
            {
                var qualified = field.EndsWith('.') ? field : field + ".";
                if (DnsName.TryParse(qualified, out var name, out _) && !name.IsRoot && !search.Contains(name))
                {
                    search.Add(name.ToLower());
                }
            }
        }
        return search;
    }

    /// <summary>The list of the file at <paramref name="path"/>; empty when it cannot be read.</summary>
    public static List<DnsName> ReadOrEmpty(string path)
    {
        try
        {
            return Parse(File.ReadAllText(path, Encoding.UTF8));
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }
}
