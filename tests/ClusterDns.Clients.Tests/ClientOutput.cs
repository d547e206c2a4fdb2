namespace ClusterDns.Clients.Tests;

/// <summary>Reads the answers out of what the client programs print.</summary>
internal static class ClientOutput
{
    private static string[] Lines(string output) => output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>getent ahosts: "ADDRESS STREAM canonical", then DGRAM and RAW lines: the distinct addresses, sorted, and the canonical name.</summary>
    public static (string[] Addresses, string? CanonicalName) GetentAhosts(string output)
    {
        var rows = Lines(output).Select(l => l.Split((char[])[' ', '\t'], StringSplitOptions.RemoveEmptyEntries)).ToArray();
        var addresses = rows.Select(r => r[0]).Distinct().Order(StringComparer.Ordinal).ToArray();
        var canonical = rows.FirstOrDefault(r => r.Length >= 3)?[2];
        return (addresses, canonical);
    }

    /// <summary>getent hosts: "ADDRESS NAME [ALIASES]" per line.</summary>
    public static (string Address, string Name)[] GetentHosts(string output) =>
        Lines(output).Select(l => l.Split((char[])[' ', '\t'], StringSplitOptions.RemoveEmptyEntries)).Select(r => (r[0], r[1])).ToArray();

    /// <summary>busybox nslookup: "Name:\tX" followed by "Address: Y" (the first Address is the server's, before any Name).</summary>
    public static (string Name, string Address)[] BusyboxAnswers(string output)
    {
        var answers = new List<(string, string)>();
        string? name = null;
        foreach (var line in Lines(output))
        {
            if (line.StartsWith("Name:", StringComparison.Ordinal))
            {
                name = line["Name:".Length..].Trim();
            }
            else if (name is not null && line.StartsWith("Address:", StringComparison.Ordinal))
            {
                answers.Add((name, line["Address:".Length..].Trim()));
            }
        }
        return answers.ToArray();
    }

    /// <summary>The musl probe: "canonical: NAME" and "address: A" lines, or "error: …".</summary>
    public static (string[] Addresses, string? CanonicalName, string? Error) MuslProbe(string output)
    {
        var lines = Lines(output);
        string? Field(string prefix) => lines.FirstOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal))?[prefix.Length..].Trim();
        var addresses = lines.Where(l => l.StartsWith("address:", StringComparison.Ordinal)).Select(l => l["address:".Length..].Trim()).Distinct().Order(StringComparer.Ordinal).ToArray();
        return (addresses, Field("canonical:"), Field("error:"));
    }

    /// <summary>dig/kdig +short: one record per line, sorted.</summary>
    public static string[] Short(string output) => Lines(output).Order(StringComparer.Ordinal).ToArray();
}
