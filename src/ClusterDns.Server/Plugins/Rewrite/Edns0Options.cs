using System.Buffers.Binary;
using ClusterDns.Protocol;

namespace ClusterDns.Server.Plugins.Rewrite;

/// <summary>The request's OPT options on the wire: looked up without allocating, read into a list, written back.</summary>
internal static class Edns0Options
{
    /// <summary>The UDP payload size of an OPT that edns0 rules add to a query sent without one (CoreDNS's 4096).</summary>
    public const ushort AddedPayloadSize = 4096;

    public static bool Contains(ReadOnlySpan<byte> options, ushort code)
    {
        int position = 0;
        while (position + 4 <= options.Length)
        {
            int length = BinaryPrimitives.ReadUInt16BigEndian(options[(position + 2)..]);
            if (BinaryPrimitives.ReadUInt16BigEndian(options[position..]) == code)
            {
                return true;
            }
            position += 4 + length;
        }
        return false;
    }

    public static List<EdnsOption> Read(ReadOnlySpan<byte> options)
    {
        var list = new List<EdnsOption>();
        int position = 0;
        while (position + 4 <= options.Length)
        {
            ushort code = BinaryPrimitives.ReadUInt16BigEndian(options[position..]);
            int length = BinaryPrimitives.ReadUInt16BigEndian(options[(position + 2)..]);
            if (position + 4 + length > options.Length)
            {
                break; // the parser accepted the OPT; a short last option is dropped rather than guessed at
            }
            list.Add(new EdnsOption(code, options.Slice(position + 4, length).ToArray()));
            position += 4 + length;
        }
        return list;
    }

    /// <summary>
    /// <paramref name="request"/> with its OPT's options replaced by <paramref name="options"/>, or, when it had no
    /// OPT, with one appended (4096 bytes, DO clear, as CoreDNS adds). Null when the result exceeds a DNS message.
    /// </summary>
    public static byte[]? WithOptions(ReadOnlySpan<byte> request, in EdnsInfo edns, List<EdnsOption> options)
    {
        int optionsLength = 0;
        foreach (var option in options)
        {
            optionsLength += 4 + option.Data.Length;
        }
        int length = edns.IsPresent
            ? request.Length - edns.OptionsLength + optionsLength
            : request.Length + 11 + optionsLength;
        if (optionsLength > ushort.MaxValue || length > ushort.MaxValue)
        {
            return null;
        }
        var result = new byte[length];
        int position;
        if (edns.IsPresent)
        {
            int rdlength = edns.OptionsOffset - 2;
            request[..rdlength].CopyTo(result);
            position = rdlength;
        }
        else
        {
            request.CopyTo(result);
            position = request.Length;
            // ARCOUNT + 1, then the OPT record's root owner, TYPE 41, CLASS = payload size, TTL 0.
            BinaryPrimitives.WriteUInt16BigEndian(result.AsSpan(10), (ushort)(BinaryPrimitives.ReadUInt16BigEndian(request[10..]) + 1));
            result[position++] = 0;
            BinaryPrimitives.WriteUInt16BigEndian(result.AsSpan(position), (ushort)RecordType.OPT);
            BinaryPrimitives.WriteUInt16BigEndian(result.AsSpan(position + 2), AddedPayloadSize);
            position += 8;
        }
        BinaryPrimitives.WriteUInt16BigEndian(result.AsSpan(position), (ushort)optionsLength);
        position += 2;
        foreach (var option in options)
        {
            BinaryPrimitives.WriteUInt16BigEndian(result.AsSpan(position), option.Code);
            BinaryPrimitives.WriteUInt16BigEndian(result.AsSpan(position + 2), (ushort)option.Data.Length);
            option.Data.CopyTo(result.AsSpan(position + 4));
            position += 4 + option.Data.Length;
        }
        if (edns.IsPresent)
        {
            request[(edns.OptionsOffset + edns.OptionsLength)..].CopyTo(result.AsSpan(position));
        }
        return result;
    }
}
