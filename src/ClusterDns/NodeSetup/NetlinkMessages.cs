using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace ClusterDns.NodeSetup;

/// <summary>
/// The rtnetlink requests node setup sends (linux/rtnetlink.h, linux/if_link.h): find a link by name, create a
/// dummy link, put an address on it, delete it. Pure functions of their arguments, so the bytes are tested alone.
/// Integers are in the host's order (little-endian on every platform .NET runs Linux on).
/// </summary>
internal static class NetlinkMessages
{
    public const ushort NewLink = 16;      // RTM_NEWLINK
    public const ushort DeleteLink = 17;   // RTM_DELLINK
    public const ushort GetLink = 18;      // RTM_GETLINK
    public const ushort NewAddress = 20;   // RTM_NEWADDR
    public const ushort Error = 2;         // NLMSG_ERROR

    public const ushort Request = 0x1;     // NLM_F_REQUEST
    public const ushort Ack = 0x4;         // NLM_F_ACK
    public const ushort Exclusive = 0x200; // NLM_F_EXCL
    public const ushort Create = 0x400;    // NLM_F_CREATE

    private const ushort InterfaceName = 3;  // IFLA_IFNAME
    private const ushort LinkInfo = 18;      // IFLA_LINKINFO
    private const ushort InfoKind = 1;       // IFLA_INFO_KIND
    private const ushort AddressAttribute = 1; // IFA_ADDRESS
    private const ushort LocalAttribute = 2;   // IFA_LOCAL

    public const int HeaderLength = 16;     // struct nlmsghdr
    private const int LinkInfoLength = 16;  // struct ifinfomsg
    private const int AddressInfoLength = 8; // struct ifaddrmsg

    /// <summary>RTM_GETLINK for one name: the answer is RTM_NEWLINK with its index, or an error (ENODEV).</summary>
    public static byte[] GetLinkByName(string name, uint sequence) =>
        Build(GetLink, Request, sequence, LinkInfoLength, body => WriteLinkInfo(body, 0), Attribute(InterfaceName, CString(name)));

    /// <summary>RTM_NEWLINK creating a link of kind "dummy" (down, as node-cache's netlink library leaves it).</summary>
    public static byte[] CreateDummyLink(string name, uint sequence) =>
        Build(NewLink, Request | Ack | Create | Exclusive, sequence, LinkInfoLength, body => WriteLinkInfo(body, 0),
            Attribute(InterfaceName, CString(name)),
            Attribute(LinkInfo, Attribute(InfoKind, Encoding.ASCII.GetBytes("dummy"))));

    /// <summary>RTM_DELLINK by index.</summary>
    public static byte[] DeleteLinkByIndex(int index, uint sequence) =>
        Build(DeleteLink, Request | Ack, sequence, LinkInfoLength, body => WriteLinkInfo(body, index));

    /// <summary>RTM_NEWADDR of one host address (/32 or /128) on a link; EEXIST when it is already there.</summary>
    public static byte[] AddHostAddress(int index, IPAddress address, uint sequence)
    {
        byte[] bytes = address.GetAddressBytes();
        bool v6 = address.AddressFamily == AddressFamily.InterNetworkV6;
        return Build(NewAddress, Request | Ack | Create | Exclusive, sequence, AddressInfoLength, body =>
            {
                body[0] = (byte)(v6 ? 10 : 2); // AF_INET6 : AF_INET
                body[1] = (byte)(bytes.Length * 8); // prefix length: the host alone
                body[2] = 0; // flags
                body[3] = 0; // RT_SCOPE_UNIVERSE
                BinaryPrimitives.WriteInt32LittleEndian(body[4..], index);
            },
            Attribute(LocalAttribute, bytes),
            Attribute(AddressAttribute, bytes));
    }

    /// <summary>The errno of an NLMSG_ERROR answer (0 is an acknowledgement), or null for any other message.</summary>
    public static int? ReadError(ReadOnlySpan<byte> message)
    {
        if (message.Length < HeaderLength + 4 || BinaryPrimitives.ReadUInt16LittleEndian(message[4..]) != Error)
        {
            return null;
        }
        return -BinaryPrimitives.ReadInt32LittleEndian(message[HeaderLength..]);
    }

    /// <summary>The link index of an RTM_NEWLINK answer, or null for any other message.</summary>
    public static int? ReadLinkIndex(ReadOnlySpan<byte> message)
    {
        if (message.Length < HeaderLength + LinkInfoLength || BinaryPrimitives.ReadUInt16LittleEndian(message[4..]) != NewLink)
        {
            return null;
        }
        return BinaryPrimitives.ReadInt32LittleEndian(message[(HeaderLength + 4)..]);
    }

    private static void WriteLinkInfo(Span<byte> body, int index)
    {
        body.Clear(); // family AF_UNSPEC, type, flags, change: 0
        BinaryPrimitives.WriteInt32LittleEndian(body[4..], index);
    }

    private delegate void BodyWriter(Span<byte> body);

    private static byte[] Build(ushort type, int flags, uint sequence, int bodyLength, BodyWriter writeBody, params byte[][] attributes)
    {
        int length = HeaderLength + bodyLength + attributes.Sum(a => a.Length);
        var message = new byte[length];
        var span = message.AsSpan();
        BinaryPrimitives.WriteUInt32LittleEndian(span, (uint)length);
        BinaryPrimitives.WriteUInt16LittleEndian(span[4..], type);
        BinaryPrimitives.WriteUInt16LittleEndian(span[6..], (ushort)flags);
        BinaryPrimitives.WriteUInt32LittleEndian(span[8..], sequence);
        // nlmsg_pid 0: the kernel assigns the socket's port id.
        writeBody(span.Slice(HeaderLength, bodyLength));
        int offset = HeaderLength + bodyLength;
        foreach (var attribute in attributes)
        {
            attribute.CopyTo(span[offset..]);
            offset += attribute.Length;
        }
        return message;
    }

    /// <summary>struct rtattr: u16 length (header and value, unpadded), u16 type, the value, padded to 4 bytes.</summary>
    private static byte[] Attribute(ushort type, byte[] value)
    {
        int length = 4 + value.Length;
        var attribute = new byte[(length + 3) & ~3];
        BinaryPrimitives.WriteUInt16LittleEndian(attribute, (ushort)length);
        BinaryPrimitives.WriteUInt16LittleEndian(attribute.AsSpan(2), type);
        value.CopyTo(attribute, 4);
        return attribute;
    }

    private static byte[] CString(string text) => Encoding.ASCII.GetBytes(text + "\0");
}
