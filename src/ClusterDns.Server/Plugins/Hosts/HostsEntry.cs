using System.Diagnostics.CodeAnalysis;
using System.Net;
using ClusterDns.Protocol;

namespace ClusterDns.Server.Plugins.Hosts;

/// <summary>One line of a hosts file: an address and its names (lower-case, absolute).</summary>
internal sealed record HostsEntry(IPAddress Address, IReadOnlyList<DnsName> Names)
{
    /// <summary>
    /// Parses <c>ADDRESS NAME [NAME...]</c> (after a <c>#</c> everything is a comment). Blank and comment-only
    /// lines give no entry and no error. An IPv6 zone (<c>fe80::1%eth0</c>) is dropped, as CoreDNS does.
    /// </summary>
    public static bool TryParse(string line, out HostsEntry? entry, [NotNullWhen(false)] out string? error)
    {
        entry = null;
        error = null;
        int hash = line.IndexOf('#');
        var fields = (hash >= 0 ? line[..hash] : line).Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length == 0)
        {
            return true;
        }
        if (fields.Length < 2)
        {
            error = $"'{line.Trim()}' has an address but no names";
            return false;
        }
        string addressText = fields[0];
        int percent = addressText.IndexOf('%');
        if (percent >= 0)
        {
            addressText = addressText[..percent];
        }
        if (!IPAddress.TryParse(addressText, out var address) || addressText.Contains('/'))
        {
            error = $"'{fields[0]}' is not an IP address";
            return false;
        }
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }
        var names = new List<DnsName>(fields.Length - 1);
        for (int i = 1; i < fields.Length; i++)
        {
            string text = fields[i].EndsWith('.') ? fields[i] : fields[i] + ".";
            if (!DnsName.TryParse(text, out var name, out var nameError))
            {
                error = $"'{fields[i]}' is not a valid host name: {nameError}";
                return false;
            }
            names.Add(name.ToLower());
        }
        entry = new HostsEntry(address, names);
        return true;
    }
}
