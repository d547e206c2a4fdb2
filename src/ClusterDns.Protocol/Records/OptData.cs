using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace ClusterDns.Protocol;

/// <summary>The RDATA of the OPT pseudo-record (RFC 6891 §6.1.2): a list of options.</summary>
public sealed class OptData : RecordData
{
    public OptData(IReadOnlyList<EdnsOption> options)
    {
        if (WireLength(options) > MaxLength)
        {
            throw new ArgumentException($"OPT RDATA holds at most {MaxLength} bytes.", nameof(options));
        }
        Options = options;
    }

    public IReadOnlyList<EdnsOption> Options { get; }

    public override RecordType Type => RecordType.OPT;

    internal override bool TryWrite(ref MessageWriter writer, bool compress)
    {
        foreach (var option in Options)
        {
            if (!writer.TryWriteUInt16(option.Code) || !writer.TryWriteUInt16((ushort)option.Data.Length) || !writer.TryWriteBytes(option.Data))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>OPT has no presentation form; the RFC 3597 generic form keeps it parseable.</summary>
    public override string ToString()
    {
        var wire = ToWire();
        var text = new StringBuilder(@"\# ").Append(wire.Length.ToString(CultureInfo.InvariantCulture));
        if (wire.Length > 0)
        {
            text.Append(' ').Append(Convert.ToHexStringLower(wire));
        }
        return text.ToString();
    }

    /// <summary>The options' wire form (what <see cref="MessageWriter.TryWriteOpt"/> takes).</summary>
    internal static byte[] Encode(IReadOnlyList<EdnsOption> options)
    {
        var bytes = new byte[WireLength(options)];
        int position = 0;
        foreach (var option in options)
        {
            BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(position), option.Code);
            BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(position + 2), (ushort)option.Data.Length);
            option.Data.CopyTo(bytes, position + 4);
            position += 4 + option.Data.Length;
        }
        return bytes;
    }

    internal static int WireLength(IReadOnlyList<EdnsOption> options)
    {
        int length = 0;
        foreach (var option in options)
        {
            length += 4 + option.Data.Length;
        }
        return length;
    }

    internal static DnsError TryRead(ref RdataReader reader, out RecordData data)
    {
        data = null!;
        var options = new List<EdnsOption>();
        while (!reader.IsAtEnd)
        {
            if (!reader.TryReadUInt16(out ushort code) || !reader.TryReadUInt16(out ushort length) || !reader.TryReadBytes(length, out var bytes))
            {
                return DnsError.BadOpt;
            }
            options.Add(new EdnsOption(code, bytes.ToArray()));
        }
        data = new OptData(options);
        return DnsError.None;
    }
}
