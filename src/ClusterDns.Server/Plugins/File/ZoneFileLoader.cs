using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;
using ClusterDns.Protocol;
using ClusterDns.Protocol.Text;
using ClusterDns.Server.Zones;

// Not "...Plugins.File": that namespace would hide System.IO.File from every sibling plugin namespace.
namespace ClusterDns.Server.Plugins.FilePlugin;

/// <summary>Reads a master file into one <see cref="AuthoritativeZone"/> per zone name (the file's $ORIGIN is each zone).</summary>
internal static class ZoneFileLoader
{
    /// <summary>The loaded zones and a hash of the file's bytes (to tell whether it changed since).</summary>
    public sealed record Loaded(ZoneSet Zones, byte[] ContentHash);

    public static bool TryLoad(string path, IReadOnlyList<DnsName> zones, [NotNullWhen(true)] out Loaded? loaded, [NotNullWhen(false)] out string? error)
    {
        loaded = null;
        if (!TryReadBytes(path, out var bytes, out error))
        {
            return false;
        }
        return TryLoad(path, bytes, zones, out loaded, out error);
    }

    public static bool TryLoad(string path, byte[] bytes, IReadOnlyList<DnsName> zones, [NotNullWhen(true)] out Loaded? loaded, [NotNullWhen(false)] out string? error)
    {
        loaded = null;
        string text = Encoding.UTF8.GetString(bytes);
        var built = new List<AuthoritativeZone>(zones.Count);
        foreach (var origin in zones)
        {
            var result = ZoneFileReader.Read(new StringReader(text), path, origin);
            if (result.Error is { } parseError)
            {
                error = parseError.ToString();
                return false;
            }
            if (!AuthoritativeZone.TryCreate(origin, result.Records, out var zone, out var zoneError))
            {
                error = $"{path}: {zoneError}";
                return false;
            }
            built.Add(zone);
        }
        loaded = new Loaded(new ZoneSet(built), SHA256.HashData(bytes));
        error = null;
        return true;
    }

    public static bool TryReadBytes(string path, [NotNullWhen(true)] out byte[]? bytes, [NotNullWhen(false)] out string? error)
    {
        try
        {
            bytes = File.ReadAllBytes(path);
            error = null;
            return true;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            bytes = null;
            error = $"{path}: cannot read zone file: {exception.Message}";
            return false;
        }
    }
}
