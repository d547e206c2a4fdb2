using System.Globalization;
using System.Text;
using ClusterDns.Protocol.Text;

namespace ClusterDns.Protocol;

/// <summary>Certification Authority Authorization (RFC 8659): <c>0 issue "letsencrypt.org"</c>.</summary>
public sealed class CaaData : RecordData
{
    /// <summary>The issuer-critical flag (bit 0, value 128).</summary>
    public const byte IssuerCriticalFlag = 0x80;

    public CaaData(byte flags, string tag, byte[] value)
    {
        if (!IsValidTag(tag))
        {
            throw new ArgumentException($"CAA tag '{tag}' must be 1-15 ASCII letters and digits.", nameof(tag));
        }
        if (2 + tag.Length + value.Length > MaxLength)
        {
            throw new ArgumentException($"CAA RDATA holds at most {MaxLength} bytes.", nameof(value));
        }
        Flags = flags;
        Tag = tag;
        Value = value;
    }

    public CaaData(byte flags, string tag, string value)
        : this(flags, tag, Encoding.UTF8.GetBytes(value))
    {
    }

    public byte Flags { get; }

    /// <summary>The property tag, e.g. issue, issuewild, iodef.</summary>
    public string Tag { get; }

    public byte[] Value { get; }

    public override RecordType Type => RecordType.CAA;

    internal override bool TryWrite(ref MessageWriter writer, bool compress)
    {
        Span<byte> head = stackalloc byte[2 + 15];
        head[0] = Flags;
        head[1] = (byte)Tag.Length;
        int tagLength = Encoding.ASCII.GetBytes(Tag, head[2..]);
        return writer.TryWriteBytes(head[..(2 + tagLength)]) && writer.TryWriteBytes(Value);
    }

    public override string ToString()
    {
        var text = new StringBuilder();
        text.Append(Flags.ToString(CultureInfo.InvariantCulture)).Append(' ').Append(Tag).Append(' ');
        PresentationText.AppendCharacterString(text, Value);
        return text.ToString();
    }

    internal static DnsError TryRead(ref RdataReader reader, out RecordData data)
    {
        data = null!;
        if (!reader.TryReadByte(out byte flags) || !reader.TryReadCharacterString(out var tagBytes))
        {
            return DnsError.BadRdata;
        }
        string tag = Encoding.ASCII.GetString(tagBytes);
        if (!IsValidTag(tag))
        {
            return DnsError.BadRdata;
        }
        data = new CaaData(flags, tag, reader.ReadRest().ToArray());
        return DnsError.None;
    }

    internal static bool TryParse(IReadOnlyList<string> fields, out RecordData data, out string error)
    {
        data = null!;
        if (!ExpectFields(fields, 3, "flags tag value", out error)
            || !PresentationText.TryParseByte(fields[0], "CAA flags", out byte flags, out error))
        {
            return false;
        }
        if (!IsValidTag(fields[1]))
        {
            return Fail($"bad CAA tag '{fields[1]}': 1-15 ASCII letters and digits", out error);
        }
        if (!PresentationText.TryUnescape(fields[2], out var value, out error))
        {
            return false;
        }
        if (2 + fields[1].Length + value.Length > MaxLength)
        {
            return Fail($"CAA RDATA would be longer than {MaxLength} bytes", out error);
        }
        data = new CaaData(flags, fields[1], value);
        return true;
    }

    private static bool IsValidTag(string tag)
    {
        if (tag.Length is 0 or > 15)
        {
            return false;
        }
        foreach (char c in tag)
        {
            if (!char.IsAsciiLetterOrDigit(c))
            {
                return false;
            }
        }
        return true;
    }
}
