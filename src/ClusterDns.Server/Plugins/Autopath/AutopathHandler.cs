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

    /// <summary>Requests up to this size are kept on the stack while element 0 is asked (UDP queries are far smaller).</summary>
    private const int MaxStackRequest = 1024;

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
            return length > 0 ? Walk(context, length, fileList, default, null) : NextAsync(context);
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
        return baseLength > 0 ? Walk(context, baseLength, null, namespaceLabel, plugin.SearchZones[zone]) : NextAsync(context);
    }

    /// <summary>
    /// Element 0 is the client's own question: asked first, in place. A name that exists there (a pod asking for a
    /// Service of its own namespace, the common case) is answered without a copy or a state machine; only a miss
    /// builds the list and walks on.
    /// </summary>
    private ValueTask<HandlerResult> Walk(DnsQueryContext context, int baseLength, List<byte[]>? list, ReadOnlySpan<byte> namespaceLabel, byte[]? zone)
    {
        // The response is written over the request, so keep the request (small over UDP: on the stack).
        int length = context.RequestLength;
        Span<byte> saved = length <= MaxStackRequest ? stackalloc byte[MaxStackRequest] : new byte[length];
        saved = saved[..length];
        context.Request.CopyTo(saved);
        bool doNotCache = context.DoNotCache;
        var pending = NextAsync(context);
        if (pending.IsCompletedSuccessfully)
        {
            var first = pending.Result;
            if (first.IsDropped)
            {
                return pending;
            }
            if (first.IsWritten && first.Rcode != ResponseCode.NXDomain)
            {
                _metrics.Success();
                return pending;
            }
        }
        list ??= SearchPath.ForPod(namespaceLabel, zone!, _search);
        return WalkOnAsync(context, baseLength, list, saved.ToArray(), doNotCache, pending);
    }

    /// <summary>Element 0 was asked (it may still be pending); asks the base name + each further element in turn (CoreDNS's loop).</summary>
    private async ValueTask<HandlerResult> WalkOnAsync(DnsQueryContext context, int baseLength, List<byte[]> search, byte[] original,
        bool doNotCache, ValueTask<HandlerResult> pending)
    {
        int questionEnd = context.Query.QuestionEnd;
        var first = await pending.ConfigureAwait(false);
        if (first.IsDropped || (first.IsWritten && first.Rcode != ResponseCode.NXDomain))
        {
            if (!first.IsDropped)
            {
                _metrics.Success();
            }
            return first;
        }
        var firstResponse = first.IsWritten ? context.Response.ToArray() : null;
        bool firstDoNotCache = context.DoNotCache;
        for (int i = 1; i < search.Count; i++)
        {
            var expanded = Expand(original.AsSpan(DnsHeader.Size, baseLength), search[i]);
            if (expanded is null)
            {
                continue; // longer than 255 bytes: no such name
            }
            context.ReplaceRequest(WithQuestionName(original, questionEnd, expanded));
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
            // CoreDNS's ClientWrite rule: SERVFAIL, REFUSED, FORMERR, NOTIMP from a handler that wrote nothing mean "try the next".
            if (!result.IsWritten || result.Rcode == ResponseCode.NXDomain)
            {
                continue;
            }
            _metrics.Success();
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
