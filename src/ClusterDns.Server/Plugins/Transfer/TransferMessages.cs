using ClusterDns.Protocol;
using ClusterDns.Server.Pipeline;
using ClusterDns.Server.Zones;

namespace ClusterDns.Server.Plugins.Transfer;

/// <summary>What filling one message of a transfer came to.</summary>
internal enum FillResult
{
    /// <summary>A full message is ready and more follow.</summary>
    More,
    /// <summary>The message ends with the closing SOA.</summary>
    Last,
    /// <summary>A group of records does not fit even in an empty 64 KiB message.</summary>
    TooLarge,
}

/// <summary>Where a transfer is between messages.</summary>
internal sealed class TransferProgress
{
    public bool OpeningSoaWritten;
    public bool ZoneEnded;
    public int Records;
    public int Messages;
}

/// <summary>
/// Fills the messages of a transfer in the query's own buffer (RFC 5936 §2.2: each a response to the query, with
/// its question, AA set): the SOA, the cursor's records as they fit, and the SOA again at the end.
/// </summary>
internal static class TransferMessages
{
    public static FillResult Fill(DnsQueryContext context, TransferCursor cursor, TransferProgress progress)
    {
        var writer = context.BeginResponse();
        int fullLimit = writer.Limit;
        writer.Limit = Math.Min(fullLimit, TransferHandler.MessageTarget);
        if (!progress.OpeningSoaWritten)
        {
            cursor.TryWriteSoa(ref writer);
            progress.OpeningSoaWritten = true;
        }
        while (!progress.ZoneEnded)
        {
            var step = cursor.WriteNext(ref writer);
            if (step == TransferStep.Written)
            {
                continue;
            }
            if (step == TransferStep.End)
            {
                progress.ZoneEnded = true;
                break;
            }
            if (writer.AnswerCount > 0)
            {
                return Complete(context, ref writer, progress, FillResult.More);
            }
            if (writer.Limit == fullLimit)
            {
                return FillResult.TooLarge;
            }
            // An RRset larger than the usual message: it gets a message of its own, as large as TCP allows.
            writer.Limit = fullLimit;
        }
        writer.Limit = fullLimit;
        if (!cursor.TryWriteSoa(ref writer))
        {
            return Complete(context, ref writer, progress, FillResult.More);
        }
        return Complete(context, ref writer, progress, FillResult.Last);
    }

    private static FillResult Complete(DnsQueryContext context, ref MessageWriter writer, TransferProgress progress, FillResult result)
    {
        progress.Records += writer.AnswerCount;
        progress.Messages++;
        context.CompleteResponse(ref writer, ResponseCode.NoError, authoritative: true, truncated: false);
        return result;
    }
}
