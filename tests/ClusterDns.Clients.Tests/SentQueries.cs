using System.Diagnostics;
using System.Text.RegularExpressions;
using ClusterDns.Protocol;
using ClusterDns.Testing.Processes;

namespace ClusterDns.Clients.Tests;

/// <summary>One DNS question a client sent, and how.</summary>
internal sealed record SentQuery(string Name, RecordType Type, bool OverTcp)
{
    public override string ToString() => $"{Name} {Type}{(OverTcp ? " (tcp)" : "")}";
}

/// <summary>
/// Runs a client under strace and decodes the DNS queries it sent, from the bytes of its send calls: the
/// resolver's own count of questions and retries, independent of any server-side logging. The transport is
/// the type of the socket the bytes went to (glibc and musl use sendto/sendmmsg, busybox write on a connected
/// UDP socket; TCP adds a two-byte length before the message), so socket() calls are traced too.
/// </summary>
internal static partial class SentQueries
{
    /// <summary>What the client printed, every query it sent in order, the same grouped by send call, and how long it ran.</summary>
    public sealed record Trace(ProcessResult Result, IReadOnlyList<SentQuery> Queries, IReadOnlyList<IReadOnlyList<SentQuery>> Calls, TimeSpan Elapsed);

    public static async Task<Trace> RecordAsync(Pod pod, params string[] command)
    {
        var traceFile = Path.Combine(pod.Directory, "strace-" + Guid.NewGuid().ToString("N")[..8] + ".txt");
        var stopwatch = Stopwatch.StartNew();
        var result = await pod.RunAsync(["strace", "-f", "-qq", "-xx", "-s", "65535", "-e", "trace=socket,sendto,sendmmsg,sendmsg,send,write,writev", "-o", traceFile, .. command]);
        stopwatch.Stop();
        if (!File.Exists(traceFile))
        {
            throw new InvalidOperationException($"strace wrote no trace ({result.ExitCode}): {result.Error}");
        }
        var calls = ParseCalls(File.ReadAllLines(traceFile));
        File.Delete(traceFile);
        return new Trace(result, calls.SelectMany(c => c).ToList(), calls, stopwatch.Elapsed);
    }

    internal static List<SentQuery> Parse(IEnumerable<string> lines) => ParseCalls(lines).SelectMany(c => c).ToList();

    /// <summary>The queries of each send call that carried any (sendmmsg carries several).</summary>
    internal static List<IReadOnlyList<SentQuery>> ParseCalls(IEnumerable<string> lines)
    {
        var calls = new List<IReadOnlyList<SentQuery>>();
        // (pid, fd) → whether the socket is a stream (TCP) socket; descriptors are reused, so the latest wins.
        var streams = new Dictionary<(string Pid, string Fd), bool>();
        foreach (var line in lines)
        {
            var socket = SocketCall().Match(line);
            if (socket.Success)
            {
                streams[(socket.Groups["pid"].Value, socket.Groups["fd"].Value)] = socket.Groups["type"].Value == "SOCK_STREAM";
                continue;
            }
            var call = SendCall().Match(line);
            if (!call.Success)
            {
                continue;
            }
            bool stream = streams.GetValueOrDefault((call.Groups["pid"].Value, call.Groups["fd"].Value));
            var queries = new List<SentQuery>();
            foreach (Match literal in HexString().Matches(line))
            {
                var bytes = Convert.FromHexString(literal.Groups[1].Value.Replace("\\x", "", StringComparison.Ordinal));
                // Over TCP the length prefix may share the buffer with the message or come in its own iovec.
                if (TryReadQuery(bytes, out var query) || (stream && bytes.Length > 2 && TryReadQuery(bytes.AsSpan(2), out query)))
                {
                    queries.Add(new SentQuery(query.Name.ToString(), query.Type, stream));
                }
            }
            if (queries.Count > 0)
            {
                calls.Add(queries);
            }
        }
        return calls;
    }

    private static bool TryReadQuery(ReadOnlySpan<byte> bytes, out DnsQuestion question)
    {
        question = null!;
        if (DnsMessage.TryParse(bytes, out var message) != DnsError.None || message.Header.IsResponse || message.Questions.Count != 1)
        {
            return false;
        }
        question = message.Questions[0];
        return true;
    }

    // "1234 socket(AF_INET, SOCK_DGRAM|SOCK_CLOEXEC|SOCK_NONBLOCK, IPPROTO_IP) = 3" (with -f every line starts with the pid).
    [GeneratedRegex(@"^(?<pid>\d+)\s+socket\(AF_INET6?, (?<type>SOCK_[A-Z]+)[^)]*\)\s+=\s+(?<fd>\d+)")]
    private static partial Regex SocketCall();

    // "1234 sendmmsg(3, ...", "1234 write(3, ...".
    [GeneratedRegex(@"^(?<pid>\d+)\s+(?:sendto|sendmmsg|sendmsg|send|write|writev)\((?<fd>\d+),")]
    private static partial Regex SendCall();

    // A buffer printed by strace -xx: "\x12\x34...".
    [GeneratedRegex(@"""((?:\\x[0-9a-f]{2})+)""")]
    private static partial Regex HexString();
}
