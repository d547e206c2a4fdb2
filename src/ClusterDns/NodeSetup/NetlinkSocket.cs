using System.Runtime.InteropServices;

namespace ClusterDns.NodeSetup;

/// <summary>
/// A NETLINK_ROUTE socket to the kernel (no .NET API opens one): send a request, read the answer of its sequence
/// number. Used only at start and once per sync interval, so plain blocking calls.
/// </summary>
internal sealed class NetlinkSocket : IDisposable
{
    private const int AfNetlink = 16;
    private const int SockRaw = 3;
    private const int SockCloexec = 0x80000;
    private const int NetlinkRoute = 0;

    private readonly int _fd;
    private uint _sequence;

    private NetlinkSocket(int fd) => _fd = fd;

    public static NetlinkSocket Open()
    {
        int fd = Socket(AfNetlink, SockRaw | SockCloexec, NetlinkRoute);
        if (fd < 0)
        {
            throw new IOException($"netlink socket: errno {Marshal.GetLastPInvokeError()}");
        }
        return new NetlinkSocket(fd);
    }

    public uint NextSequence() => ++_sequence;

    /// <summary>Sends <paramref name="request"/> and returns the kernel's first answer to it.</summary>
    public byte[] Exchange(byte[] request)
    {
        uint sequence = BitConverter.ToUInt32(request, 8);
        if (Send(_fd, request, (nuint)request.Length, 0) < 0)
        {
            throw new IOException($"netlink send: errno {Marshal.GetLastPInvokeError()}");
        }
        var buffer = new byte[32768];
        while (true)
        {
            long received = Receive(_fd, buffer, (nuint)buffer.Length, 0);
            if (received < 0)
            {
                throw new IOException($"netlink receive: errno {Marshal.GetLastPInvokeError()}");
            }
            // One datagram may hold several messages; answers to earlier requests are skipped.
            int offset = 0;
            while (offset + NetlinkMessages.HeaderLength <= received)
            {
                int length = (int)BitConverter.ToUInt32(buffer, offset);
                if (length < NetlinkMessages.HeaderLength || offset + length > received)
                {
                    break;
                }
                if (BitConverter.ToUInt32(buffer, offset + 8) == sequence)
                {
                    return buffer.AsSpan(offset, length).ToArray();
                }
                offset += (length + 3) & ~3;
            }
        }
    }

    public void Dispose() => Close(_fd);

    [DllImport("libc", EntryPoint = "socket", SetLastError = true)]
    private static extern int Socket(int domain, int type, int protocol);

    [DllImport("libc", EntryPoint = "send", SetLastError = true)]
    private static extern long Send(int fd, byte[] buffer, nuint length, int flags);

    [DllImport("libc", EntryPoint = "recv", SetLastError = true)]
    private static extern long Receive(int fd, byte[] buffer, nuint length, int flags);

    [DllImport("libc", EntryPoint = "close")]
    private static extern int Close(int fd);
}
