using System.Diagnostics;

namespace ClusterDns.NodeSetup;

/// <summary>The outcome of keeping one rule in place.</summary>
internal enum RuleOutcome
{
    AlreadyThere,
    Added,
    Failed,
    Locked,
}

/// <summary>
/// The <c>iptables</c> (or <c>ip6tables</c>) binary, as Kubernetes' iptables utility drives it: <c>-C</c> to check,
/// <c>-I</c> to put a rule first, <c>-D</c> to delete, each waiting up to 5 s for the xtables lock. Whichever backend
/// the binary is (iptables-nft or iptables-legacy) is the one used, as with node-cache.
/// </summary>
internal sealed class Iptables(string binary)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    public string Binary => binary;

    /// <summary>The binary for the family, found on <paramref name="searchPath"/> (PATH's syntax); null when it is not installed.</summary>
    public static string? Find(bool ipv6, string? searchPath)
    {
        string name = ipv6 ? "ip6tables" : "iptables";
        foreach (string dir in (searchPath ?? "/usr/sbin:/usr/bin:/sbin:/bin").Split(':'))
        {
            string path = Path.Combine(dir, name);
            if (dir.Length > 0 && File.Exists(path))
            {
                return path;
            }
        }
        return null;
    }

    /// <summary>Checks the rule and inserts it first when missing; <paramref name="message"/> holds iptables' complaint.</summary>
    public RuleOutcome Ensure(IptablesRule rule, out string message)
    {
        var (code, output) = Run(rule, "-C");
        message = output;
        if (code == 0)
        {
            return RuleOutcome.AlreadyThere;
        }
        // -C exits 1 when the rule is missing; anything else is a failure of its own.
        if (code == 1 && !IsLocked(output))
        {
            (code, output) = Run(rule, "-I");
            message = output;
            if (code == 0)
            {
                return RuleOutcome.Added;
            }
        }
        return IsLocked(output) ? RuleOutcome.Locked : RuleOutcome.Failed;
    }

    /// <summary>Deletes every copy of the rule (node-cache loops until the check fails).</summary>
    public void DeleteAll(IptablesRule rule)
    {
        for (int i = 0; i < 100 && Run(rule, "-D").Code == 0; i++)
        {
        }
    }

    private static bool IsLocked(string output) => output.Contains("holding the xtables lock", StringComparison.Ordinal);

    private (int Code, string Output) Run(IptablesRule rule, string operation)
    {
        var info = new ProcessStartInfo(binary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string arg in (string[])["-w", "5", "-t", rule.Table, operation, rule.Chain, .. rule.Args])
        {
            info.ArgumentList.Add(arg);
        }
        try
        {
            using var process = Process.Start(info)!;
            var stderr = process.StandardError.ReadToEndAsync();
            string stdout = process.StandardOutput.ReadToEnd();
            if (!process.WaitForExit(Timeout))
            {
                process.Kill();
                return (-1, $"{binary} {operation} timed out");
            }
            return (process.ExitCode, (stdout + stderr.GetAwaiter().GetResult()).Trim());
        }
        catch (System.ComponentModel.Win32Exception exception)
        {
            return (-1, $"{binary}: {exception.Message}");
        }
    }
}
