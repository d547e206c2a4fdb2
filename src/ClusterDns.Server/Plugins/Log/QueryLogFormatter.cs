using System.Globalization;
using System.Net.Sockets;
using System.Text;
using ClusterDns.Protocol;
using ClusterDns.Server.Pipeline;

namespace ClusterDns.Server.Plugins.Log;

/// <summary>Expands CoreDNS's log placeholders (<c>{remote}</c>, <c>{>id}</c>, …); unknown placeholders stay as written.</summary>
internal static class QueryLogFormatter
{
    public static string Format(in QueryLogEntry entry)
    {
        var format = entry.Rule.Format;
        var line = new StringBuilder(format.Length + 64);
        int i = 0;
        while (i < format.Length)
        {
            int open = format.IndexOf('{', i);
            int close = open < 0 ? -1 : format.IndexOf('}', open + 1);
            if (open < 0 || close < 0)
            {
                line.Append(format, i, format.Length - i);
                break;
            }
            line.Append(format, i, open - i);
            var placeholder = format.AsSpan(open, close - open + 1);
            if (placeholder.StartsWith("{/") && TryAppendMetadata(line, placeholder[2..^1], entry))
            {
                i = close + 1;
                continue;
            }
            if (!TryAppend(line, placeholder, entry))
            {
                line.Append(placeholder);
            }
            i = close + 1;
        }
        return line.ToString();
    }

    /// <summary><c>{/label}</c>: the query's metadata, or "-" when it has none (CoreDNS's replacer).</summary>
    private static bool TryAppendMetadata(StringBuilder line, ReadOnlySpan<char> label, in QueryLogEntry entry)
    {
        var labels = entry.Rule.MetadataLabels;
        for (int i = 0; i < labels.Length; i++)
        {
            if (label.SequenceEqual(labels[i]))
            {
                line.Append(entry.Metadata?[i] ?? "-");
                return true;
            }
        }
        return false;
    }

    private static bool TryAppend(StringBuilder line, ReadOnlySpan<char> placeholder, in QueryLogEntry entry)
    {
        var invariant = CultureInfo.InvariantCulture;
        switch (placeholder)
        {
            case "{remote}":
                var address = entry.Remote.Address.IsIPv4MappedToIPv6 ? entry.Remote.Address.MapToIPv4() : entry.Remote.Address;
                // RFC 3986 host form, as CoreDNS: IPv6 in brackets.
                if (address.AddressFamily == AddressFamily.InterNetworkV6)
                {
                    line.Append('[').Append(address).Append(']');
                }
                else
                {
                    line.Append(address);
                }
                return true;
            case "{port}": line.Append(entry.Remote.Port.ToString(invariant)); return true;
            case "{>id}": line.Append(entry.Id.ToString(invariant)); return true;
            case "{type}": line.Append(RecordTypeNames.ToText(entry.Type)); return true;
            case "{class}": line.Append(RecordTypeNames.ToText(entry.Class)); return true;
            case "{name}": line.Append(DnsName.Format(entry.Name)); return true;
            case "{proto}": line.Append(entry.Transport == TransportKind.Tcp ? "tcp" : "udp"); return true;
            case "{size}": line.Append(entry.RequestSize.ToString(invariant)); return true;
            case "{>do}": line.Append(entry.DnssecOk ? "true" : "false"); return true;
            case "{>bufsize}": line.Append(entry.BufferSize.ToString(invariant)); return true;
            case "{rcode}": line.Append(RecordTypeNames.ToText(entry.Rcode)); return true;
            case "{>rflags}": AppendFlags(line, entry.ResponseFlags); return true;
            case "{rsize}": line.Append(entry.ResponseSize.ToString(invariant)); return true;
            case "{duration}": line.Append(entry.Duration.TotalSeconds.ToString("0.#########", invariant)).Append('s'); return true;
            case "{>opcode}": line.Append(OpcodeText(entry.Opcode)); return true;
            default: return false;
        }
    }

    /// <summary>Set header flags in CoreDNS's order: qr,aa,tc,rd,ra,z,ad,cd.</summary>
    private static void AppendFlags(StringBuilder line, ushort flags)
    {
        var header = new DnsHeader { Flags = flags };
        int start = line.Length;
        Append(header.IsResponse, "qr");
        Append(header.AuthoritativeAnswer, "aa");
        Append(header.Truncated, "tc");
        Append(header.RecursionDesired, "rd");
        Append(header.RecursionAvailable, "ra");
        Append(header.Z, "z");
        Append(header.AuthenticData, "ad");
        Append(header.CheckingDisabled, "cd");

        void Append(bool set, string name)
        {
            if (set)
            {
                if (line.Length > start)
                {
                    line.Append(',');
                }
                line.Append(name);
            }
        }
    }

    private static string OpcodeText(Opcode opcode) => opcode switch
    {
        Opcode.Query => "QUERY",
        Opcode.IQuery => "IQUERY",
        Opcode.Status => "STATUS",
        Opcode.Notify => "NOTIFY",
        Opcode.Update => "UPDATE",
        _ => ((int)opcode).ToString(CultureInfo.InvariantCulture),
    };
}
