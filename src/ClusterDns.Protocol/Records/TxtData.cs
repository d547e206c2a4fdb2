using System.Text;
using ClusterDns.Protocol.Text;

namespace ClusterDns.Protocol;

/// <summary>Text: one or more &lt;character-string&gt;s of up to 255 bytes each (RFC 1035 §3.3.14).</summary>
public sealed class TxtData : RecordData
{
    public TxtData(IReadOnlyList<byte[]> strings)
    {
        if (strings.Count == 0)
        {
            throw new ArgumentException("TXT needs at least one character-string.", nameof(strings));
        }
        foreach (var s in strings)
        {
            if (s.Length > 255)
            {
                throw new ArgumentException("A TXT character-string holds at most 255 bytes.", nameof(strings));
            }
        }
        if (WireLength(strings) > MaxLength)
        {
            throw new ArgumentException($"TXT RDATA holds at most {MaxLength} bytes.", nameof(strings));
        }
        Strings = strings;
    }

    /// <summary>TXT from text strings, each encoded as UTF-8.</summary>
    public TxtData(params string[] strings)
        : this(strings.Select(Encoding.UTF8.GetBytes).ToArray())
    {
    }

    public IReadOnlyList<byte[]> Strings { get; }

    public override RecordType Type => RecordType.TXT;

    internal override bool TryWrite(ref MessageWriter writer, bool compress)
    {
        foreach (var s in Strings)
        {
            if (!writer.TryWriteBytes([(byte)s.Length]) || !writer.TryWriteBytes(s))
            {
                return false;
            }
        }
        return true;
    }

    public override string ToString()
    {
        var text = new StringBuilder();
        foreach (var s in Strings)
        {
            if (text.Length > 0)
            {
                text.Append(' ');
            }
            PresentationText.AppendCharacterString(text, s);
        }
        return text.ToString();
    }

    internal static DnsError TryRead(ref RdataReader reader, out RecordData data)
    {
        data = null!;
        var strings = new List<byte[]>();
        while (!reader.IsAtEnd)
        {
            if (!reader.TryReadCharacterString(out var bytes))
            {
                return DnsError.BadRdata;
            }
            strings.Add(bytes.ToArray());
        }
        if (strings.Count == 0)
        {
            return DnsError.BadRdata;
        }
        data = new TxtData(strings);
        return DnsError.None;
    }

    internal static bool TryParse(IReadOnlyList<string> fields, out RecordData data, out string error)
    {
        data = null!;
        error = "";
        if (fields.Count == 0)
        {
            return Fail("TXT needs at least one character-string", out error);
        }
        var strings = new List<byte[]>(fields.Count);
        foreach (var field in fields)
        {
            if (!PresentationText.TryParseCharacterString(field, out var bytes, out error))
            {
                return false;
            }
            strings.Add(bytes);
        }
        if (WireLength(strings) > MaxLength)
        {
            return Fail($"TXT RDATA would be longer than {MaxLength} bytes", out error);
        }
        data = new TxtData(strings);
        return true;
    }

    private static int WireLength(IReadOnlyList<byte[]> strings)
    {
        int length = 0;
        foreach (var s in strings)
        {
            length += 1 + s.Length;
        }
        return length;
    }
}
