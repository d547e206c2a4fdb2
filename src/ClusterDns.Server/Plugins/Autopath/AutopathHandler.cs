using System.Buffers.Binary;
using ClusterDns.Protocol;
using ClusterDns.Server.Pipeline;

namespace ClusterDns.Server.Plugins.Autopath;

/// <summary>
/// CoreDNS's autopath: a question for the first search-list expansion of a name (<c>name.ns.svc.zone</c> from a pod
/// of <c>ns</c>) is completed here. Each element of the client's list is appended to the name in turn and the rest
/// of the chain is asked; the first answer that is not NXDOMAIN goes back with a CNAME from the asked name to the
/// name that answered. When every element fails, the client gets the first element's answer (NXDOMAIN) and
/// searches on by itself. Questions it does not touch pass on without allocating.
/// </summary>
internal sealed class AutopathHandler : DnsHandler
{
    private readonly byte[][] _zones;
    private readonly byte[][] _search;
    private readonly List<byte[]>? _fileList;
    private readonly AutopathMetrics _metrics;
    private IAutopathSearch? _plugin;

    public AutopathHandler(AutopathOptions options, AutopathMetrics metrics)
    {
        _zones = options.Zones.Select(z => z.ToLower().Wire.ToArray()).ToArray();
        _search = options.Search.Select(z => z.ToLower().Wire.ToArray()).ToArray();
        _fileList = options.Plugin is null ? SearchPath.FromFile(_search) : null;
        _metrics = metrics;
    }

    public override string Name => "autopath";

    /// <summary>The plugin <c>@PLUGIN</c> named, once the block's handlers exist; until then queries pass on.</summary>
    internal void Bind(IAutopathSearch plugin) => Volatile.Write(ref _plugin, plugin);

    public override ValueTask<HandlerResult> ServeAsync(DnsQueryContext context)
    {
        var name = context.LowerName;
        if (name.Length == 0 || SearchPath.LongestZone(name, _zones) < 0)
        {
            return NextAsync(context);
        }
        if (_fileList is { } fileList)
        {
            int length = fileList.Count > 1 ? SearchPath.BaseLength(name, default, fileList[0]) : 0;
            return length > 0 ? WalkAsync(context, length, fileList) : NextAsync(context);
        }
        var plugin = Volatile.Read(ref _plugin);
        if (plugin is null || !plugin.FindsPods)
        {
            return NextAsync(context);
        }
        int zone = SearchPath.LongestZone(name, plugin.SearchZones);
        if (zone < 0 || !plugin.TryGetNamespace(context.RemoteAddress, out var namespaceLabel))
        {
            return NextAsync(context);
        }
        Span<byte> prefix = stackalloc byte[WireName.MaxLength];
        int prefixLength = SearchPath.PodPrefix(namespaceLabel, prefix);
        int baseLength = SearchPath.BaseLength(name, prefix[..prefixLength], plugin.SearchZones[zone]);
        return baseLength > 0
            ? WalkAsync(context, baseLength, SearchPath.ForPod(namespaceLabel, plugin.SearchZones[zone], _search))
            : NextAsync(context);
    }

    /// <summary>Asks the rest of the chain for the base name + each element in turn (CoreDNS's loop, element 0 first).</summary>
    private async ValueTask<HandlerResult> WalkAsync(DnsQueryContext context, int baseLength, List<byte[]> search)
    {
        var original = context.Request.ToArray();
        int questionEnd = context.Query.QuestionEnd;
        bool doNotCache = context.DoNotCache;
        byte[]? firstResponse = null;
        HandlerResult first = default;
        bool firstDoNotCache = doNotCache;
        for (int i = 0; i < search.Count; i++)
        {
            byte[]? expanded = null;
            if (i > 0)
            {
                expanded = Expand(original.AsSpan(DnsHeader.Size, baseLength), search[i]);
                if (expanded is null)
                {
                    continue; // longer than 255 bytes: no such name
                }
                context.ReplaceRequest(WithQuestionName(original, questionEnd, expanded));
            }
            context.DoNotCache = doNotCache;
            HandlerResult result;
            try
            {
                result = await NextAsync(context).ConfigureAwait(false);
            }
            catch
            {
                context.ReplaceRequest(original); // the server's SERVFAIL then carries the client's question
                throw;
            }
            if (result.IsDropped)
            {
                context.ReplaceRequest(original);
                return result;
            }
            if (i == 0)
            {
                first = result;
                firstDoNotCache = context.DoNotCache;
                firstResponse = result.IsWritten ? context.Response.ToArray() : null;
            }
            // CoreDNS's ClientWrite rule: SERVFAIL, REFUSED, FORMERR, NOTIMP from a handler that wrote nothing mean "try the next".
            if (!result.IsWritten || result.Rcode == ResponseCode.NXDomain)
            {
                continue;
            }
            _metrics.Success();
            if (expanded is null)
            {
                return result; // the client's own question answered: nothing to rewrite
            }
            return AutopathAnswer.Write(context, original, expanded);
        }
        context.ReplaceRequest(original);
        context.DoNotCache = firstDoNotCache;
        if (firstResponse is null)
        {
            return first; // nothing was written: the server writes the first element's RCODE
        }
        return AutopathAnswer.Replay(context, firstResponse, questionEnd) ? first : HandlerResult.NotWritten(ResponseCode.ServFail);
    }

    /// <summary>The base labels (the client's bytes) followed by <paramref name="element"/>; null when over 255 bytes.</summary>
    private static byte[]? Expand(ReadOnlySpan<byte> baseLabels, byte[] element)
    {
        int length = baseLabels.Length + element.Length;
        if (length > WireName.MaxLength)
        {
            return null;
        }
        var name = new byte[length];
        baseLabels.CopyTo(name);
        element.CopyTo(name.AsSpan(baseLabels.Length));
        return name;
    }

    /// <summary>The request with another question name: same header, type, class, and the sections after (OPT).</summary>
    private static byte[] WithQuestionName(byte[] request, int questionEnd, byte[] name)
    {
        int oldNameEnd = questionEnd - 4;
        var result = new byte[DnsHeader.Size + name.Length + request.Length - oldNameEnd];
        request.AsSpan(0, DnsHeader.Size).CopyTo(result);
        name.CopyTo(result.AsSpan(DnsHeader.Size));
        request.AsSpan(oldNameEnd).CopyTo(result.AsSpan(DnsHeader.Size + name.Length));
        BinaryPrimitives.WriteUInt16BigEndian(result.AsSpan(4), 1);
        return result;
    }
}
