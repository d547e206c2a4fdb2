using System.Buffers.Binary;

namespace ClusterDns.Fuzz.Tests;

/// <summary>
/// A structure-aware mutator for DNS messages: it knows where the header counts, the question's labels and the
/// additional section are, so its mutations reach past the first sanity check instead of dying there.
/// Deterministic for a given <see cref="Random"/>.
/// </summary>
internal sealed class DnsMutator
{
    public const int MaxMessage = ushort.MaxValue;
    private const int HeaderSize = 12;

    private readonly Random _random;
    private readonly IReadOnlyList<byte[]> _seeds;

    public DnsMutator(Random random, IReadOnlyList<byte[]> seeds)
    {
        _random = random;
        _seeds = seeds;
    }

    /// <summary>Counts of each mutation applied (to show in the long run's figures that all of them ran).</summary>
    public long[] Applied { get; } = new long[(int)Mutation.Count];

    public enum Mutation
    {
        FlipBits,
        ChangeCount,
        SpliceRecords,
        InsertPointer,
        Truncate,
        GrowLabel,
        RandomOpt,
        HeaderFlags,
        ReplaceQuestion,
        Count,
    }

    /// <summary>A new input: a random seed with one to four mutations (an unmutated seed now and then).</summary>
    public byte[] Next()
    {
        var packet = new List<byte>(_seeds[_random.Next(_seeds.Count)]);
        int mutations = _random.Next(8) == 0 ? 0 : 1 + _random.Next(4);
        for (int i = 0; i < mutations; i++)
        {
            var mutation = (Mutation)_random.Next((int)Mutation.Count);
            Apply(mutation, packet);
            Applied[(int)mutation]++;
        }
        if (packet.Count > MaxMessage)
        {
            packet.RemoveRange(MaxMessage, packet.Count - MaxMessage);
        }
        return packet.ToArray();
    }

    private void Apply(Mutation mutation, List<byte> packet)
    {
        switch (mutation)
        {
            case Mutation.FlipBits:
                for (int n = 1 + _random.Next(8); n > 0 && packet.Count > 0; n--)
                {
                    packet[_random.Next(packet.Count)] ^= (byte)(1 << _random.Next(8));
                }
                break;
            case Mutation.ChangeCount:
                if (packet.Count >= HeaderSize)
                {
                    int offset = 4 + 2 * _random.Next(4);
                    int current = (packet[offset] << 8) | packet[offset + 1];
                    int value = _random.Next(6) switch
                    {
                        0 => 0,
                        1 => current + 1,
                        2 => Math.Max(0, current - 1),
                        3 => 0xFFFF,
                        4 => 2,
                        _ => _random.Next(0x10000),
                    };
                    SetU16(packet, offset, value);
                }
                break;
            case Mutation.SpliceRecords:
                Splice(packet);
                break;
            case Mutation.InsertPointer:
                InsertPointer(packet);
                break;
            case Mutation.Truncate:
                if (packet.Count > 0)
                {
                    int keep = _random.Next(2) == 0 ? _random.Next(packet.Count) : Math.Max(0, packet.Count - 1 - _random.Next(8));
                    packet.RemoveRange(keep, packet.Count - keep);
                }
                break;
            case Mutation.GrowLabel:
                GrowLabel(packet);
                break;
            case Mutation.RandomOpt:
                AppendOpt(packet);
                break;
            case Mutation.HeaderFlags:
                if (packet.Count >= 4)
                {
                    switch (_random.Next(4))
                    {
                        case 0: packet[2] ^= 0x80; break;                                   // QR
                        case 1: packet[2] = (byte)((packet[2] & 0x87) | (_random.Next(16) << 3)); break; // opcode
                        case 2: packet[3] = (byte)_random.Next(256); break;                // RA, Z, AD, CD, RCODE
                        default: SetU16(packet, 0, _random.Next(0x10000)); break;          // ID
                    }
                }
                break;
            case Mutation.ReplaceQuestion:
                ReplaceQuestion(packet);
                break;
        }
    }

    /// <summary>Inserts a run of bytes taken after the header of another seed (records, names, OPTs).</summary>
    private void Splice(List<byte> packet)
    {
        var donor = _seeds[_random.Next(_seeds.Count)];
        if (donor.Length <= HeaderSize)
        {
            return;
        }
        int start = HeaderSize + _random.Next(donor.Length - HeaderSize);
        int length = 1 + _random.Next(Math.Min(200, donor.Length - start));
        int at = packet.Count <= HeaderSize ? packet.Count : HeaderSize + _random.Next(packet.Count - HeaderSize + 1);
        packet.InsertRange(at, donor.AsSpan(start, length).ToArray());
        if (packet.Count >= HeaderSize && _random.Next(2) == 0)
        {
            int offset = 6 + 2 * _random.Next(3);
            SetU16(packet, offset, ((packet[offset] << 8) | packet[offset + 1]) + 1);
        }
    }

    /// <summary>Writes a compression pointer: to itself (a loop), forward, at the question, or anywhere.</summary>
    private void InsertPointer(List<byte> packet)
    {
        if (packet.Count < HeaderSize + 2)
        {
            return;
        }
        int at = HeaderSize + _random.Next(packet.Count - HeaderSize - 1);
        int target = _random.Next(5) switch
        {
            0 => at,
            1 => at + 2 + _random.Next(8),
            2 => HeaderSize,
            3 => Math.Max(0, at - 2),
            _ => _random.Next(0x4000),
        };
        byte high = (byte)(0xC0 | ((target >> 8) & 0x3F));
        byte low = (byte)target;
        if (_random.Next(2) == 0)
        {
            packet[at] = high;
            packet[at + 1] = low;
        }
        else
        {
            packet.InsertRange(at, [high, low]);
        }
    }

    /// <summary>Lengthens a label of the question name: consistently (bytes inserted) or lying (length byte only).</summary>
    private void GrowLabel(List<byte> packet)
    {
        var labels = new List<int>();
        int i = HeaderSize;
        while (i < packet.Count && packet[i] != 0 && packet[i] < 64 && labels.Count < 128)
        {
            labels.Add(i);
            i += packet[i] + 1;
        }
        if (labels.Count == 0)
        {
            return;
        }
        int label = labels[_random.Next(labels.Count)];
        if (_random.Next(3) == 0)
        {
            packet[label] = (byte)(packet[label] + 1 + _random.Next(255 - packet[label]));
            return;
        }
        int grow = 1 + _random.Next(_random.Next(2) == 0 ? 8 : 70);
        int newLength = Math.Min(255, packet[label] + grow);
        grow = newLength - packet[label];
        packet[label] = (byte)newLength;
        var filler = new byte[grow];
        for (int k = 0; k < filler.Length; k++)
        {
            filler[k] = LabelBytes[_random.Next(LabelBytes.Length)];
        }
        packet.InsertRange(label + 1, filler);
    }

    /// <summary>Appends an OPT record (random size, version, DO, options well- or ill-formed), usually counted.</summary>
    private void AppendOpt(List<byte> packet)
    {
        var opt = new List<byte> { _random.Next(8) == 0 ? (byte)1 : (byte)0 }; // owner: root, or not
        AddU16(opt, 41);
        AddU16(opt, _random.Next(3) switch { 0 => 512, 1 => 4096, _ => _random.Next(0x10000) });
        opt.Add(_random.Next(6) == 0 ? (byte)_random.Next(256) : (byte)0); // extended RCODE
        opt.Add(_random.Next(5) == 0 ? (byte)_random.Next(1, 256) : (byte)0); // version
        AddU16(opt, _random.Next(2) == 0 ? 0x8000 : _random.Next(0x10000));
        var rdata = new List<byte>();
        for (int n = _random.Next(4); n > 0; n--)
        {
            int length = _random.Next(3) == 0 ? 0 : _random.Next(40);
            AddU16(rdata, _random.Next(3) == 0 ? 10 : _random.Next(0x10000)); // cookie or anything
            AddU16(rdata, _random.Next(8) == 0 ? length + _random.Next(1, 50) : length);
            for (int k = 0; k < length; k++)
            {
                rdata.Add((byte)_random.Next(256));
            }
        }
        AddU16(opt, _random.Next(10) == 0 ? _random.Next(0x10000) : rdata.Count);
        opt.AddRange(rdata);
        packet.AddRange(opt);
        if (packet.Count >= HeaderSize && _random.Next(6) != 0)
        {
            // Usually where it belongs (additional); sometimes counted as an answer or authority record.
            int offset = _random.Next(4) == 0 ? 6 + 2 * _random.Next(2) : 10;
            SetU16(packet, offset, ((packet[offset] << 8) | packet[offset + 1]) + 1);
        }
    }

    /// <summary>Label filler: letters and digits, and the bytes presentation form must escape.</summary>
    private static readonly byte[] LabelBytes = "abcdefghijklmnopqrstuvwxyz0123456789-_*. \\\"();"u8.ToArray().Concat(new byte[] { 0, 0xFF, 0x80 }).ToArray();

    private static readonly string[] Names =
    [
        "web-service.default.svc.cluster.local", "_http._tcp.web-service.default.svc.cluster.local",
        "headless.default.svc.cluster.local", "cluster.local", "svc.cluster.local", "default.svc.cluster.local",
        "dns-version.cluster.local", "10-244-1-5.default.pod.cluster.local", "10.0.96.10.in-addr.arpa",
        "nothere.default.svc.cluster.local", "external-database.default.svc.cluster.local",
        "example.org", "www.example.org", "mail.example.org", "txt.example.org", "_sip._udp.example.org",
        "anything.wild.example.org", "sub.example.org", "deep.sub.example.org", "nothere.example.org",
    ];

    private static readonly ushort[] Types = [1, 2, 5, 6, 12, 15, 16, 28, 33, 35, 41, 99, 251, 252, 255, 257, 65, 0, 65535];

    /// <summary>Rewrites the question with a name the handlers know and a random type/class, keeping the rest.</summary>
    private void ReplaceQuestion(List<byte> packet)
    {
        if (packet.Count < HeaderSize)
        {
            return;
        }
        int end = HeaderSize;
        while (end < packet.Count && packet[end] != 0 && packet[end] < 64)
        {
            end += packet[end] + 1;
        }
        end = Math.Min(packet.Count, end + 5);
        var question = new List<byte>();
        foreach (var label in Names[_random.Next(Names.Length)].Split('.'))
        {
            question.Add((byte)label.Length);
            foreach (char c in label)
            {
                question.Add(_random.Next(4) == 0 ? (byte)char.ToUpperInvariant(c) : (byte)c);
            }
        }
        question.Add(0);
        AddU16(question, Types[_random.Next(Types.Length)]);
        AddU16(question, _random.Next(10) switch { 0 => 3, 1 => 255, 2 => _random.Next(0x10000), _ => 1 });
        packet.RemoveRange(HeaderSize, end - HeaderSize);
        packet.InsertRange(HeaderSize, question);
    }

    private static void SetU16(List<byte> packet, int offset, int value)
    {
        packet[offset] = (byte)(value >> 8);
        packet[offset + 1] = (byte)value;
    }

    private static void AddU16(List<byte> bytes, int value)
    {
        bytes.Add((byte)(value >> 8));
        bytes.Add((byte)value);
    }

    public static ushort ReadId(ReadOnlySpan<byte> packet) => BinaryPrimitives.ReadUInt16BigEndian(packet);
}
