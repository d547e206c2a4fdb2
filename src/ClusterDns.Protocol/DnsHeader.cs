using System.Buffers.Binary;

namespace ClusterDns.Protocol;

/// <summary>The fixed 12-byte message header (RFC 1035 §4.1.1), with every flag.</summary>
public struct DnsHeader
{
    public const int Size = 12;

    public ushort Id;
    public ushort Flags;
    public ushort QuestionCount;
    public ushort AnswerCount;
    public ushort AuthorityCount;
    public ushort AdditionalCount;

    private const ushort QrBit = 0x8000, AaBit = 0x0400, TcBit = 0x0200, RdBit = 0x0100, RaBit = 0x0080, ZBit = 0x0040, AdBit = 0x0020, CdBit = 0x0010;

    public bool IsResponse { readonly get => (Flags & QrBit) != 0; set => SetBit(QrBit, value); }
    public Opcode Opcode { readonly get => (Opcode)((Flags >> 11) & 0xF); set => Flags = (ushort)((Flags & ~0x7800) | (((int)value & 0xF) << 11)); }
    public bool AuthoritativeAnswer { readonly get => (Flags & AaBit) != 0; set => SetBit(AaBit, value); }
    public bool Truncated { readonly get => (Flags & TcBit) != 0; set => SetBit(TcBit, value); }
    public bool RecursionDesired { readonly get => (Flags & RdBit) != 0; set => SetBit(RdBit, value); }
    public bool RecursionAvailable { readonly get => (Flags & RaBit) != 0; set => SetBit(RaBit, value); }
    public bool Z { readonly get => (Flags & ZBit) != 0; set => SetBit(ZBit, value); }
    public bool AuthenticData { readonly get => (Flags & AdBit) != 0; set => SetBit(AdBit, value); }
    public bool CheckingDisabled { readonly get => (Flags & CdBit) != 0; set => SetBit(CdBit, value); }

    /// <summary>The low four bits of the RCODE (the rest lives in the OPT record).</summary>
    public byte Rcode { readonly get => (byte)(Flags & 0xF); set => Flags = (ushort)((Flags & ~0xF) | (value & 0xF)); }

    private void SetBit(ushort bit, bool value) => Flags = value ? (ushort)(Flags | bit) : (ushort)(Flags & ~bit);

    public static bool TryRead(ReadOnlySpan<byte> message, out DnsHeader header)
    {
        if (message.Length < Size)
        {
            header = default;
            return false;
        }
        header = new DnsHeader
        {
            Id = BinaryPrimitives.ReadUInt16BigEndian(message),
            Flags = BinaryPrimitives.ReadUInt16BigEndian(message[2..]),
            QuestionCount = BinaryPrimitives.ReadUInt16BigEndian(message[4..]),
            AnswerCount = BinaryPrimitives.ReadUInt16BigEndian(message[6..]),
            AuthorityCount = BinaryPrimitives.ReadUInt16BigEndian(message[8..]),
            AdditionalCount = BinaryPrimitives.ReadUInt16BigEndian(message[10..]),
        };
        return true;
    }

    public readonly bool TryWrite(Span<byte> destination)
    {
        if (destination.Length < Size)
        {
            return false;
        }
        BinaryPrimitives.WriteUInt16BigEndian(destination, Id);
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], Flags);
        BinaryPrimitives.WriteUInt16BigEndian(destination[4..], QuestionCount);
        BinaryPrimitives.WriteUInt16BigEndian(destination[6..], AnswerCount);
        BinaryPrimitives.WriteUInt16BigEndian(destination[8..], AuthorityCount);
        BinaryPrimitives.WriteUInt16BigEndian(destination[10..], AdditionalCount);
        return true;
    }
}
