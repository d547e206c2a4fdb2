using System.Net;

namespace ClusterDns.NodeSetup;

/// <summary>
/// node-cache's interface (kubernetes/dns pkg/netif): a link of the configured name holding the local addresses.
/// A link of that name is adopted whatever its kind, and any missing address is put back; otherwise a dummy link is
/// created with them. Removed by name at teardown.
/// </summary>
internal sealed class DummyInterface(string name, IReadOnlyList<IPAddress> addresses)
{
    private const int NoSuchDevice = 19; // ENODEV
    private const int Exists = 17;       // EEXIST

    public string Name => name;

    /// <summary>Makes sure the link and its addresses exist; returns whether the link was already there.</summary>
    /// <exception cref="IOException">The kernel refused (the message says which step and the errno).</exception>
    public bool Ensure()
    {
        using var socket = NetlinkSocket.Open();
        int? index = FindIndex(socket);
        bool existed = index is not null;
        if (index is null)
        {
            Check(socket.Exchange(NetlinkMessages.CreateDummyLink(name, socket.NextSequence())), $"create dummy link {name}");
            index = FindIndex(socket) ?? throw new IOException($"link {name} is missing right after it was created");
        }
        foreach (var address in addresses)
        {
            var answer = socket.Exchange(NetlinkMessages.AddHostAddress(index.Value, address, socket.NextSequence()));
            if (NetlinkMessages.ReadError(answer) is not Exists)
            {
                Check(answer, $"add {address} to {name}");
            }
        }
        return existed;
    }

    /// <summary>Deletes the link (and so its addresses); false when there was none.</summary>
    public bool Remove()
    {
        using var socket = NetlinkSocket.Open();
        if (FindIndex(socket) is not { } index)
        {
            return false;
        }
        Check(socket.Exchange(NetlinkMessages.DeleteLinkByIndex(index, socket.NextSequence())), $"delete link {name}");
        return true;
    }

    private int? FindIndex(NetlinkSocket socket)
    {
        var answer = socket.Exchange(NetlinkMessages.GetLinkByName(name, socket.NextSequence()));
        if (NetlinkMessages.ReadLinkIndex(answer) is { } index)
        {
            return index;
        }
        int error = NetlinkMessages.ReadError(answer) ?? throw new IOException($"unexpected netlink answer looking up {name}");
        return error == NoSuchDevice ? null : throw new IOException($"look up link {name}: errno {error}");
    }

    private static void Check(byte[] answer, string step)
    {
        int? error = NetlinkMessages.ReadError(answer);
        if (error is not 0)
        {
            throw new IOException($"{step}: {(error is null ? "unexpected netlink answer" : $"errno {error}")}");
        }
    }
}
