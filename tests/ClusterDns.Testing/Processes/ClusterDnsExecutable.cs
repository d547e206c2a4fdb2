using System.Diagnostics;

namespace ClusterDns.Testing.Processes;

/// <summary>
/// Which ClusterDns the process tests start: the JIT build beside the test binaries (<c>dotnet clusterdns.dll</c>)
/// by default, or the native executable named by <c>CLUSTERDNS_BINARY</c> (./test.sh publishes it with Native AOT
/// and runs the end-to-end suite a second time against it). A variable naming a missing file is an error, so a
/// run meant for the native build never quietly tests the JIT one.
/// </summary>
public static class ClusterDnsExecutable
{
    public const string Variable = "CLUSTERDNS_BINARY";

    /// <summary>The native executable's path, or null for the JIT build.</summary>
    public static string? Native
    {
        get
        {
            string? path = Environment.GetEnvironmentVariable(Variable);
            if (string.IsNullOrEmpty(path))
            {
                return null;
            }
            path = Path.GetFullPath(path);
            return File.Exists(path)
                ? path
                : throw new FileNotFoundException($"{Variable}={path}: no such executable (publish it: dotnet publish src/ClusterDns -c Release -r linux-x64)", path);
        }
    }

    /// <summary>The JIT build's entry assembly beside the test binaries.</summary>
    public static string Dll => Path.Combine(AppContext.BaseDirectory, "clusterdns.dll");

    /// <summary>The program and the arguments that come before ClusterDns's own.</summary>
    public static (string Program, string[] Prefix) Command()
    {
        string? native = Native;
        return native is not null ? (native, []) : (ProcessRunner.FindExecutable("dotnet") ?? "dotnet", [Dll]);
    }

    /// <summary>A start info for ClusterDns with <paramref name="arguments"/> after its program and prefix.</summary>
    public static ProcessStartInfo StartInfo(params string[] arguments)
    {
        var (program, prefix) = Command();
        var info = new ProcessStartInfo(program);
        foreach (string argument in prefix.Concat(arguments))
        {
            info.ArgumentList.Add(argument);
        }
        return info;
    }

    /// <summary>Runs ClusterDns to completion (a CLI command such as <c>explain</c> or <c>corefile</c>), bounded in time.</summary>
    public static Task<ProcessResult> RunAsync(IEnumerable<string> arguments, TimeSpan? timeout = null, string? stdin = null)
    {
        var (program, prefix) = Command();
        return ProcessRunner.RunAsync(program, prefix.Concat(arguments), timeout: timeout, stdin: stdin);
    }
}
