using System.Diagnostics;
using ClusterDns.EndToEnd.Tests;

namespace ClusterDns.Clients.Tests;

/// <summary>Runs one program with an argument vector (no shell quoting), bounded in time.</summary>
internal static class Command
{
    public static Task<Tools.Result> RunAsync(IReadOnlyList<string> argv, TimeSpan? timeout = null)
    {
        var info = new ProcessStartInfo(argv[0]);
        for (int i = 1; i < argv.Count; i++)
        {
            info.ArgumentList.Add(argv[i]);
        }
        return Tools.RunAsync(info, timeout);
    }

    /// <summary>Fails with the command's output when it did not exit with 0.</summary>
    public static async Task<Tools.Result> RunCheckedAsync(params string[] argv)
    {
        var result = await RunAsync(argv);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"{string.Join(' ', argv)} exited with {result.ExitCode}: {result.Output}{result.Error}");
        }
        return result;
    }
}
