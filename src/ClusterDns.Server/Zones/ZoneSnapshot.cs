using System.Diagnostics.CodeAnalysis;
using ClusterDns.Protocol;

namespace ClusterDns.Server.Zones;

/// <summary>
/// One version of a zone as a set of whole records (names uncompressed), for working out what changed between two
/// versions (<see cref="TransferJournal"/>) and for sending that exact version again. Captured by running a
/// <see cref="TransferCursor"/> into a scratch message, so it holds exactly what an AXFR of that version sends.
/// Off the answer path: it allocates a record object per record.
/// </summary>
public sealed class ZoneSnapshot
{
    /// <summary>A message as large as TCP allows: the cursor splits what does not fit in one.</summary>
    private const int ScratchSize = ushort.MaxValue;

    public ZoneSnapshot(DnsRecord soa, HashSet<DnsRecord> records)
    {
        Soa = soa;
        Records = records;
        Serial = ((SoaData)soa.Data).Serial;
    }

    public uint Serial { get; }

    /// <summary>A buffer for <see cref="TryCapture"/>, for callers that capture often.</summary>
    public static byte[] NewScratch() => new byte[ScratchSize];

    /// <summary>The SOA record of this version.</summary>
    public DnsRecord Soa { get; }

    /// <summary>Every record but the SOA; never changed after capture.</summary>
    public HashSet<DnsRecord> Records { get; }

    /// <summary>
    /// Reads the whole cursor; false (with a reason) when a group does not fit in any message or a message does not
    /// parse. <paramref name="scratch"/>: a 64 KiB buffer to reuse (one is allocated when none is given).
    /// </summary>
    public static bool TryCapture(DnsName origin, TransferCursor cursor, [NotNullWhen(true)] out ZoneSnapshot? snapshot, [NotNullWhen(false)] out string? error,
        byte[]? scratch = null)
    {
        snapshot = null;
        scratch ??= NewScratch();
        var records = new HashSet<DnsRecord>();
        DnsRecord? soa = null;
        bool first = true;
        while (true)
        {
            var writer = new MessageWriter(scratch, scratch.Length);
            if (!writer.TryWriteQuestion(origin.Wire, RecordType.AXFR, RecordClass.IN))
            {
                error = "the zone name does not fit";
                return false;
            }
            if (first && !cursor.TryWriteSoa(ref writer))
            {
                error = "the SOA does not fit";
                return false;
            }
            first = false;
            var step = TransferStep.Written;
            while (step == TransferStep.Written)
            {
                step = cursor.WriteNext(ref writer);
            }
            if (step == TransferStep.Full && writer.AnswerCount == 0)
            {
                error = "a group of records does not fit in one 64 KiB message";
                return false;
            }
            writer.WriteHeader(new DnsHeader { IsResponse = true, QuestionCount = 1 });
            if (DnsMessage.TryParse(writer.Written, out var message) is var parseError && parseError != DnsError.None)
            {
                error = $"a message of the transfer does not parse ({parseError})";
                return false;
            }
            foreach (var record in message.Answers)
            {
                if (record.Type == RecordType.SOA)
                {
                    soa ??= record;
                }
                else
                {
                    records.Add(record);
                }
            }
            if (step == TransferStep.End)
            {
                break;
            }
        }
        if (soa is null)
        {
            error = "the zone has no SOA";
            return false;
        }
        snapshot = new ZoneSnapshot(soa, records);
        error = null;
        return true;
    }
}
