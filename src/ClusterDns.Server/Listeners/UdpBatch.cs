using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace ClusterDns.Server.Listeners;

/// <summary>
/// Linux <c>recvmmsg</c>/<c>sendmmsg</c> for one receive thread: up to <see cref="Capacity"/> datagrams per system
/// call each way, as Knot and NSD do. Under load the system calls, not the answers, are most of a query's cost
/// (docs/performance.md); at low rates a batch is one datagram and the cost is that of recvfrom/sendto.
/// Each slot has its own native buffer of <see cref="SlotSize"/> bytes (the datagram in, then the answer out) and
/// native socket-address storage; the listener copies a datagram into its query context and the answer back, so no
/// managed buffer is pinned and nothing counts against the GC heap's limit. The 2 MiB of slots per thread are
/// reserved, not resident: a query touches the first page of its slot only. The sender is copied into the context's
/// <see cref="SocketAddress"/> (the same native layout) so everything downstream sees what ReceiveFrom gives.
/// Owns native memory: <see cref="Dispose"/> frees it.
/// </summary>
internal sealed unsafe partial class UdpBatch : IDisposable
{
    public const int Capacity = 32;

    /// <summary>Room for the largest UDP datagram, so every query is seen whole (hostile ones included).</summary>
    public const int SlotSize = 65536;

    /// <summary>Room for any socket address (sockaddr_storage).</summary>
    private const int AddressSize = 128;
    private const int MsgWaitForOne = 0x10000;
    private const int EAgain = 11;
    private const int EIntr = 4;

    private readonly MMsgHdr* _receive;
    private readonly MMsgHdr* _send;
    private readonly IoVec* _receiveVectors;
    private readonly IoVec* _sendVectors;
    private readonly byte* _addresses;
    private readonly byte* _buffers;
    private int _sendCount;

    public UdpBatch()
    {
        _receive = (MMsgHdr*)NativeMemory.AllocZeroed((nuint)(Capacity * sizeof(MMsgHdr)));
        _send = (MMsgHdr*)NativeMemory.AllocZeroed((nuint)(Capacity * sizeof(MMsgHdr)));
        _receiveVectors = (IoVec*)NativeMemory.AllocZeroed((nuint)(Capacity * sizeof(IoVec)));
        _sendVectors = (IoVec*)NativeMemory.AllocZeroed((nuint)(Capacity * sizeof(IoVec)));
        _addresses = (byte*)NativeMemory.AllocZeroed(Capacity * AddressSize);
        _buffers = (byte*)NativeMemory.Alloc(Capacity * SlotSize);
        for (int i = 0; i < Capacity; i++)
        {
            _receiveVectors[i].Base = _buffers + i * SlotSize;
            _receiveVectors[i].Length = SlotSize;
            _receive[i].Header.Iov = &_receiveVectors[i];
            _receive[i].Header.IovLength = 1;
            _receive[i].Header.Name = _addresses + i * AddressSize;
        }
    }

    /// <summary>True where this process can use recvmmsg (Linux on x64 or arm64: the layout below is theirs).</summary>
    public static bool IsSupported =>
        OperatingSystem.IsLinux() && RuntimeInformation.ProcessArchitecture is Architecture.X64 or Architecture.Arm64;

    /// <summary>Sets SO_RCVTIMEO, so that a blocked <see cref="Receive"/> returns (with 0) at least this often.</summary>
    public static void SetReceiveTimeout(Socket socket, TimeSpan timeout)
    {
        const int SolSocket = 1;
        const int SoRcvTimeo = 20;
        long microseconds = (long)(timeout.TotalMicroseconds % 1_000_000);
        Span<long> timeval = [(long)timeout.TotalSeconds, microseconds];
        socket.SetRawSocketOption(SolSocket, SoRcvTimeo, MemoryMarshal.AsBytes(timeval));
    }

    /// <summary>
    /// Blocks until at least one datagram arrives (or the socket's receive timeout passes), then takes what is
    /// queued, up to <see cref="Capacity"/>. Returns the count; 0 on timeout or interruption; -1 with
    /// <paramref name="error"/> on failure.
    /// </summary>
    public int Receive(SafeHandle socket, out SocketError error)
    {
        error = SocketError.Success;
        for (int i = 0; i < Capacity; i++)
        {
            _receive[i].Header.NameLength = AddressSize;
            _receive[i].Header.Flags = 0;
            _receive[i].Length = 0;
        }
        bool added = false;
        try
        {
            socket.DangerousAddRef(ref added);
            int received = RecvMMsg((int)socket.DangerousGetHandle(), _receive, Capacity, MsgWaitForOne, null);
            if (received >= 0)
            {
                return received;
            }
            int errno = Marshal.GetLastPInvokeError();
            if (errno is EAgain or EIntr)
            {
                return 0;
            }
            error = ToSocketError(errno);
            return -1;
        }
        finally
        {
            if (added)
            {
                socket.DangerousRelease();
            }
        }
    }

    /// <summary>The datagram received in slot <paramref name="slot"/> by the last <see cref="Receive"/>.</summary>
    public ReadOnlySpan<byte> Datagram(int slot) => new(_buffers + slot * SlotSize, (int)Math.Min(_receive[slot].Length, SlotSize));

    /// <summary>True when the datagram in the slot was longer than <see cref="SlotSize"/> and cut (MSG_TRUNC).</summary>
    public bool WasTruncated(int slot) => (_receive[slot].Header.Flags & 0x20) != 0;

    /// <summary>Copies the sender of slot <paramref name="slot"/> into <paramref name="address"/> (native layout, as ReceiveFrom writes it).</summary>
    public void CopySender(int slot, SocketAddress address)
    {
        int length = (int)Math.Min(_receive[slot].Header.NameLength, (uint)address.Buffer.Length);
        new ReadOnlySpan<byte>(_receive[slot].Header.Name, length).CopyTo(address.Buffer.Span);
        address.Size = length;
    }

    /// <summary>
    /// Copies <paramref name="answer"/> into slot <paramref name="slot"/> (its datagram must have been read already)
    /// and queues it to the slot's sender; false (nothing queued) when it is longer than <see cref="SlotSize"/>.
    /// </summary>
    public bool QueueReply(int slot, ReadOnlySpan<byte> answer)
    {
        if (answer.Length > SlotSize)
        {
            return false;
        }
        var buffer = _buffers + slot * SlotSize;
        answer.CopyTo(new Span<byte>(buffer, SlotSize));
        int index = _sendCount++;
        _sendVectors[index].Base = buffer;
        _sendVectors[index].Length = (nuint)answer.Length;
        _send[index].Header.Iov = &_sendVectors[index];
        _send[index].Header.IovLength = 1;
        _send[index].Header.Name = _receive[slot].Header.Name;
        _send[index].Header.NameLength = _receive[slot].Header.NameLength;
        _send[index].Header.Flags = 0;
        return true;
    }

    /// <summary>
    /// Sends every queued answer, in as few system calls as the kernel allows. A datagram the kernel refuses
    /// (the client's port is gone, a full buffer) is dropped, as UDP would.
    /// </summary>
    public void SendQueued(SafeHandle socket)
    {
        bool added = false;
        try
        {
            socket.DangerousAddRef(ref added);
            int fd = (int)socket.DangerousGetHandle();
            int sent = 0;
            while (sent < _sendCount)
            {
                int result = SendMMsg(fd, _send + sent, (uint)(_sendCount - sent), 0);
                if (result > 0)
                {
                    sent += result;
                }
                else if (result < 0 && Marshal.GetLastPInvokeError() == EIntr)
                {
                    continue;
                }
                else
                {
                    sent++; // the first one failed: skip it and send the rest
                }
            }
        }
        catch (ObjectDisposedException)
        {
            // Stopping.
        }
        finally
        {
            _sendCount = 0;
            if (added)
            {
                socket.DangerousRelease();
            }
        }
    }

    public void Dispose()
    {
        NativeMemory.Free(_receive);
        NativeMemory.Free(_send);
        NativeMemory.Free(_receiveVectors);
        NativeMemory.Free(_sendVectors);
        NativeMemory.Free(_addresses);
        NativeMemory.Free(_buffers);
    }

    private static SocketError ToSocketError(int errno) => errno switch
    {
        111 => SocketError.ConnectionRefused, // ECONNREFUSED: ICMP port unreachable from an earlier reply
        104 => SocketError.ConnectionReset,
        9 => SocketError.OperationAborted, // EBADF: closed
        113 => SocketError.HostUnreachable,
        101 => SocketError.NetworkUnreachable,
        _ => SocketError.SocketError,
    };

    [LibraryImport("libc", EntryPoint = "recvmmsg", SetLastError = true)]
    private static partial int RecvMMsg(int fd, MMsgHdr* messages, uint count, int flags, void* timeout);

    [LibraryImport("libc", EntryPoint = "sendmmsg", SetLastError = true)]
    private static partial int SendMMsg(int fd, MMsgHdr* messages, uint count, int flags);

    [StructLayout(LayoutKind.Sequential)]
    private struct IoVec
    {
        public void* Base;
        public nuint Length;
    }

    /// <summary>struct msghdr of Linux on 64-bit.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct MsgHdr
    {
        public void* Name;
        public uint NameLength;
        public IoVec* Iov;
        public nuint IovLength;
        public void* Control;
        public nuint ControlLength;
        public int Flags;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct MMsgHdr
    {
        public MsgHdr Header;
        public uint Length;
    }
}
