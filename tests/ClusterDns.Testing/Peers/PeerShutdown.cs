using System.Diagnostics;

namespace ClusterDns.Testing.Peers;

/// <summary>How a test peer daemon ends: killed if still running (bounded wait), then its temporary folder removed.</summary>
internal static class PeerShutdown
{
    public static void KillAndRemove(Process process, string folder)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill();
                process.WaitForExit(5000);
            }
        }
        finally
        {
            process.Dispose();
            try
            {
                Directory.Delete(folder, recursive: true);
            }
            catch (IOException)
            {
                // the daemon may still hold a file for a moment; the temp folder is left behind.
            }
        }
    }
}
