using ClusterDns.Testing.Processes;

namespace ClusterDns.Clients.Tests;

/// <summary>
/// A pod's view of name resolution, given to the real client programs: the resolv.conf the kubelet writes
/// for a pod in namespace default (ClusterFirst), an nsswitch.conf that asks files then DNS, and an
/// /etc/hosts without any of the names under test. Each command runs in the pod network with those three
/// files bind-mounted over /etc in a private mount namespace, so the host's own files are never changed.
/// </summary>
internal sealed class Pod
{
    public static readonly string[] SearchList = ["default.svc.cluster.local", "svc.cluster.local", "cluster.local"];

    public const int Ndots = 5;

    // $1 is the folder holding the pod's files; the rest is the command.
    private const string MountThenExec =
        "d=$1; shift; mount --bind \"$d/resolv.conf\" /etc/resolv.conf && mount --bind \"$d/nsswitch.conf\" /etc/nsswitch.conf && mount --bind \"$d/hosts\" /etc/hosts && exec \"$@\"";

    private readonly PodNetwork _network;

    /// <param name="nameserver">The resolv.conf's server: ClusterDns's address, or a node cache's.</param>
    public Pod(PodNetwork network, string directory, string nameserver = PodNetwork.DnsAddress)
    {
        _network = network;
        Directory = directory;
        System.IO.Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, "resolv.conf"), $"""
            nameserver {nameserver}
            search {string.Join(' ', SearchList)}
            options ndots:{Ndots}

            """);
        File.WriteAllText(Path.Combine(directory, "nsswitch.conf"), "hosts: files dns\n");
        File.WriteAllText(Path.Combine(directory, "hosts"), "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n");
    }

    /// <summary>The folder of the pod's files (also a scratch space for the tests, e.g. trace files).</summary>
    public string Directory { get; }

    public Task<ProcessResult> RunAsync(params string[] command) =>
        _network.ExecAsync(["unshare", "--mount", "--propagation", "private", "/bin/sh", "-c", MountThenExec, "sh", Directory, .. command]);
}
