using System.Buffers.Binary;
using ClusterDns.Protocol;

namespace ClusterDns.Server.Zones;

/// <summary>
/// The lists inside a cluster Service record, read in place: cluster IPs, named ports, headless endpoints and
/// external addresses. They live here rather than beside the record so that the plugins reading a Service
/// through a seam (k8s_external) and the cluster zone read one layout with one code; the layout of each entry
/// is the record's (see the kubernetes plugin's <c>ClusterService</c>).
/// </summary>
public static class ServiceRecordLayout
{
    /// <summary>Port flag: an earlier port has the same number.</summary>
    public const byte PortRepeatsNumber = 1;

    /// <summary>Endpoint flag: no earlier endpoint has this address.</summary>
    public const byte EndpointFirstOfAddress = 1;

    /// <summary>Endpoint flag: no earlier endpoint has this label.</summary>
    public const byte EndpointFirstOfLabel = 2;

    /// <summary>External entry kind: an address (4 or 16 bytes).</summary>
    public const byte ExternalAddress = 1;

    /// <summary>External entry kind: a load balancer's hostname (lower-case wire name).</summary>
    public const byte ExternalHostname = 2;
}

/// <summary>Addresses, each as [length u8: 4 or 16] [address].</summary>
public readonly ref struct ServiceAddressList(byte[] blob, int offset, int count)
{
    public int Count => count;

    public Enumerator GetEnumerator() => new(blob, offset, count);

    public ref struct Enumerator(byte[] blob, int offset, int count)
    {
        private int _next = offset;
        private int _left = count;

        public ReadOnlySpan<byte> Current { get; private set; }

        public bool MoveNext()
        {
            if (_left == 0)
            {
                return false;
            }
            _left--;
            Current = blob.AsSpan(_next + 1, blob[_next]);
            _next += 1 + blob[_next];
            return true;
        }
    }
}

/// <summary>One named port.</summary>
public readonly ref struct ServiceRecordPort(ReadOnlySpan<byte> protocol, ushort number, ReadOnlySpan<byte> name, byte flags)
{
    public ReadOnlySpan<byte> Protocol { get; } = protocol;

    public ushort Number { get; } = number;

    public ReadOnlySpan<byte> Name { get; } = name;

    /// <summary>"_" + the name is a label: <c>_port._proto.svc…</c> can be asked for.</summary>
    public bool HasSrvName => Name.Length is > 0 and < WireName.MaxLabelLength;

    /// <summary>An earlier port has the same number: its SRV record at the Service name would repeat it.</summary>
    public bool RepeatsNumber => (flags & ServiceRecordLayout.PortRepeatsNumber) != 0;
}

/// <summary>Ports, each as [flags u8] [protocol length u8] [protocol] [port u16] [name length u8] [name].</summary>
public readonly ref struct ServicePortList(byte[] blob, int offset, int count)
{
    public int Count => count;

    public int EndOffset
    {
        get
        {
            int end = offset;
            for (int i = 0; i < count; i++)
            {
                end += 1;
                end += 1 + blob[end];
                end += 2;
                end += 1 + blob[end];
            }
            return end;
        }
    }

    public Enumerator GetEnumerator() => new(blob, offset, count);

    public ref struct Enumerator(byte[] blob, int offset, int count)
    {
        private int _next = offset;
        private int _left = count;

        public ServiceRecordPort Current { get; private set; }

        public bool MoveNext()
        {
            if (_left == 0)
            {
                return false;
            }
            _left--;
            byte flags = blob[_next];
            int protocolLength = blob[_next + 1];
            var protocol = blob.AsSpan(_next + 2, protocolLength);
            int at = _next + 2 + protocolLength;
            ushort number = BinaryPrimitives.ReadUInt16BigEndian(blob.AsSpan(at));
            var name = blob.AsSpan(at + 3, blob[at + 2]);
            Current = new ServiceRecordPort(protocol, number, name, flags);
            _next = at + 3 + name.Length;
            return true;
        }
    }
}

/// <summary>One published endpoint of a headless Service: an address under a label.</summary>
public readonly ref struct ServiceRecordEndpoint(ReadOnlySpan<byte> address, ReadOnlySpan<byte> labelWire, byte flags)
{
    public ReadOnlySpan<byte> Address { get; } = address;

    /// <summary>The label with its length byte, as it goes into a name.</summary>
    public ReadOnlySpan<byte> LabelWire { get; } = labelWire;

    public ReadOnlySpan<byte> Label => LabelWire[1..];

    /// <summary>No earlier endpoint has this address (the Service name's A/AAAA set holds it once).</summary>
    public bool FirstOfAddress => (flags & ServiceRecordLayout.EndpointFirstOfAddress) != 0;

    /// <summary>No earlier endpoint has this label (SRV targets and additional names are listed once).</summary>
    public bool FirstOfLabel => (flags & ServiceRecordLayout.EndpointFirstOfLabel) != 0;
}

/// <summary>Endpoints, each as [flags u8] [length u8] [address] [label length u8] [label].</summary>
public readonly ref struct ServiceEndpointList(byte[] blob, int offset, int count)
{
    public int Count => count;

    public int EndOffset
    {
        get
        {
            int end = offset;
            for (int i = 0; i < count; i++)
            {
                end += 2 + blob[end + 1];
                end += 1 + blob[end];
            }
            return end;
        }
    }

    public Enumerator GetEnumerator() => new(blob, offset, count);

    public ref struct Enumerator(byte[] blob, int offset, int count)
    {
        private int _next = offset;
        private int _left = count;

        public ServiceRecordEndpoint Current { get; private set; }

        public bool MoveNext()
        {
            if (_left == 0)
            {
                return false;
            }
            _left--;
            byte flags = blob[_next];
            var address = blob.AsSpan(_next + 2, blob[_next + 1]);
            int at = _next + 2 + address.Length;
            var labelWire = blob.AsSpan(at, 1 + blob[at]);
            Current = new ServiceRecordEndpoint(address, labelWire, flags);
            _next = at + labelWire.Length;
            return true;
        }
    }
}

/// <summary>One external entry of a Service: an address, or a load balancer's hostname.</summary>
public readonly ref struct ServiceExternal(byte kind, ReadOnlySpan<byte> value)
{
    public bool IsAddress => kind == ServiceRecordLayout.ExternalAddress;

    /// <summary>4 or 16 address bytes, or a lower-case wire name.</summary>
    public ReadOnlySpan<byte> Value { get; } = value;
}

/// <summary>External entries, each as [kind u8] [length u8] [value]; addresses first, then hostnames.</summary>
public readonly ref struct ServiceExternalList(byte[]? blob, int offset, int count)
{
    public static ServiceExternalList Empty => new(null, 0, 0);

    public int Count => count;

    public Enumerator GetEnumerator() => new(blob, offset, count);

    public ref struct Enumerator(byte[]? blob, int offset, int count)
    {
        private int _next = offset;
        private int _left = count;

        public ServiceExternal Current { get; private set; }

        public bool MoveNext()
        {
            if (_left == 0 || blob is null)
            {
                return false;
            }
            _left--;
            var value = blob.AsSpan(_next + 2, blob[_next + 1]);
            Current = new ServiceExternal(blob[_next], value);
            _next += 2 + value.Length;
            return true;
        }
    }
}
