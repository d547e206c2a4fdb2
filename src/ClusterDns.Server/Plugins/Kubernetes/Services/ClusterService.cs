using System.Buffers.Binary;
using ClusterDns.Protocol;
using ClusterDns.Server.Plugins.Kubernetes.Binary;
using ClusterDns.Server.Plugins.Kubernetes.Building;
using ClusterDns.Server.Plugins.Kubernetes.Index;
using ClusterDns.Server.Zones;

namespace ClusterDns.Server.Plugins.Kubernetes.Services;

/// <summary>
/// One Service of the cluster zone in a single byte array: what its DNS names answer, compact enough that the
/// names themselves are never stored. The query path reads it in place (<see cref="ServiceAnswers"/> writes
/// the records of <c>svc.ns.svc.zone</c>, <c>_port._proto.svc…</c>, <c>_proto.svc…</c> and
/// <c>endpoint.svc…</c> from it); the zone builder keeps the Service's spec in it too, so that it holds no
/// second copy of the object (<see cref="ClusterServiceCodec"/>). Layout, in <see cref="Binary.BlobWriter"/>'s convention:
/// <code>
/// [L] [key, L bytes: the lower-case wire labels "name" and "namespace", no root]
/// [answers u8]  1 when the name exists (exposed, and has records); 0 hides every name of the Service
/// [type u8]     0 ClusterIP, 1 NodePort, 2 LoadBalancer, 3 ExternalName
/// [flags u8]    1 headless, 2 publishNotReadyAddresses, 4 has a selector, 8 exposed, 16 has the external section
/// [ip count u8]        per cluster IP: [length u8: 4 or 16] [address]
/// [port count u8]      per named port: [flags u8: 1 an earlier port has the same number]
///                                      [protocol length u8] [protocol, lower case] [port u16] [name length u8] [name]
/// [external length u8] [ExternalName target, lower-case wire]
/// [label count u16]    per label (only when a <c>labels</c> selector needs them): [length u16] [key] [length u16] [value]
/// [endpoint count u16] per endpoint (headless): [flags u8: 1 first of its address, 2 first of its label]
///                                      [length u8] [address] [label length u8] [label, lower case]
/// [external count u8]  only with flag 16, per external entry: [kind u8: 1 address, 2 hostname] [length u8]
///                                      [address, or the hostname as lower-case wire]
/// </code>
/// The ports are the Service's named ports (ClusterIP) or the distinct named ports of its EndpointSlices
/// (headless); the endpoints are the distinct (label, address) pairs the specification publishes, merged
/// from every slice. The first-of flags let the query path drop what a record set would hold twice.
/// </summary>
public readonly struct ClusterService
{
    public const byte TypeClusterIP = 0;
    public const byte TypeNodePort = 1;
    public const byte TypeLoadBalancer = 2;
    public const byte TypeExternalName = 3;

    public const byte FlagHeadless = 1;
    public const byte FlagPublishNotReady = 2;
    public const byte FlagHasSelector = 4;

    /// <summary>The namespace and label selectors expose the Service (k8s_external answers its external addresses).</summary>
    public const byte FlagExposed = 8;
    /// <summary>The external section follows the endpoints.</summary>
    public const byte FlagHasExternal = 16;

    public const byte PortRepeatsNumber = ServiceRecordLayout.PortRepeatsNumber;
    public const byte EndpointFirstOfAddress = ServiceRecordLayout.EndpointFirstOfAddress;
    public const byte EndpointFirstOfLabel = ServiceRecordLayout.EndpointFirstOfLabel;

    private readonly byte[] _blob;

    internal ClusterService(byte[] blob) => _blob = blob;

    public bool IsNull => _blob is null;

    internal byte[] Blob => _blob;

    /// <summary>The table key: wire labels of the Service's name and namespace.</summary>
    public ReadOnlySpan<byte> Key => _blob.AsSpan(1, _blob[0]);

    public ReadOnlySpan<byte> NameLabel => _blob.AsSpan(2, _blob[1]);

    public ReadOnlySpan<byte> NamespaceLabel => _blob.AsSpan(3 + _blob[1], _blob[2 + _blob[1]]);

    private int HeaderOffset => 1 + _blob[0];

    public bool Answers => _blob[HeaderOffset] != 0;

    public byte Type => _blob[HeaderOffset + 1];

    public byte Flags => _blob[HeaderOffset + 2];

    public bool IsHeadless => (Flags & FlagHeadless) != 0;

    public bool IsExternalName => Type == TypeExternalName;

    private int IpsOffset => HeaderOffset + 3;

    public int IpCount => _blob[IpsOffset];

    public ServiceAddressList Ips => new(_blob, IpsOffset + 1, IpCount);

    private int PortsOffset
    {
        get
        {
            int offset = IpsOffset + 1;
            for (int i = IpCount; i > 0; i--)
            {
                offset += 1 + _blob[offset];
            }
            return offset;
        }
    }

    public ServicePortList Ports
    {
        get
        {
            int offset = PortsOffset;
            return new ServicePortList(_blob, offset + 1, _blob[offset]);
        }
    }

    private int ExternalOffset => Ports.EndOffset;

    /// <summary>The ExternalName target (lower-case wire), empty when there is none.</summary>
    public ReadOnlySpan<byte> ExternalName
    {
        get
        {
            int offset = ExternalOffset;
            return _blob.AsSpan(offset + 1, _blob[offset]);
        }
    }

    private int LabelsOffset
    {
        get
        {
            int offset = ExternalOffset;
            return offset + 1 + _blob[offset];
        }
    }

    /// <summary>The Service's labels, kept only when a <c>labels</c> selector needs them.</summary>
    public IEnumerable<KeyValuePair<string, string>> Labels()
    {
        int offset = LabelsOffset;
        int count = BinaryPrimitives.ReadUInt16BigEndian(_blob.AsSpan(offset));
        offset += 2;
        var labels = new List<KeyValuePair<string, string>>(count);
        for (int i = 0; i < count; i++)
        {
            string key = ReadString(ref offset);
            string value = ReadString(ref offset);
            labels.Add(new(key, value));
        }
        return labels;
    }

    private string ReadString(ref int offset)
    {
        int length = BinaryPrimitives.ReadUInt16BigEndian(_blob.AsSpan(offset));
        string text = System.Text.Encoding.UTF8.GetString(_blob, offset + 2, length);
        offset += 2 + length;
        return text;
    }

    private int EndpointsOffset
    {
        get
        {
            int offset = LabelsOffset;
            int count = BinaryPrimitives.ReadUInt16BigEndian(_blob.AsSpan(offset));
            offset += 2;
            for (int i = 0; i < 2 * count; i++)
            {
                offset += 2 + BinaryPrimitives.ReadUInt16BigEndian(_blob.AsSpan(offset));
            }
            return offset;
        }
    }

    public ServiceEndpointList Endpoints
    {
        get
        {
            int offset = EndpointsOffset;
            return new ServiceEndpointList(_blob, offset + 2, BinaryPrimitives.ReadUInt16BigEndian(_blob.AsSpan(offset)));
        }
    }

    /// <summary>The Service's namespace and label selectors let it be seen (whether or not it has cluster records).</summary>
    public bool IsExposed => (Flags & FlagExposed) != 0;

    /// <summary>
    /// External IPs and load balancer ingress (the k8s_external plugin's records), after the endpoints; present
    /// only with <see cref="FlagHasExternal"/>, so a Service without them pays nothing.
    /// </summary>
    public ServiceExternalList Externals
    {
        get
        {
            if ((Flags & FlagHasExternal) == 0)
            {
                return ServiceExternalList.Empty;
            }
            int offset = Endpoints.EndOffset;
            return new ServiceExternalList(_blob, offset + 1, _blob[offset]);
        }
    }
}
