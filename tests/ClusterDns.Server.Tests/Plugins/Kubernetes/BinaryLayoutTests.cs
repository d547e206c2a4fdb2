using System.Net;
using ClusterDns.Kubernetes;
using ClusterDns.Protocol;
using ClusterDns.Server.Plugins.Kubernetes.Binary;
using ClusterDns.Server.Plugins.Kubernetes.Building;
using ClusterDns.Server.Plugins.Kubernetes.Index;

namespace ClusterDns.Server.Tests.Plugins.Kubernetes;

/// <summary>The one binary layout: byte order and lengths as documented, round trips, and damage reported, never trusted.</summary>
public sealed class BinaryLayoutTests
{
    [Fact]
    public void Integers_are_big_endian_and_strings_carry_their_lengths()
    {
        var writer = new BlobWriter(4);
        writer.U16(0x0102);
        writer.U32(0x03040506);
        writer.ShortBytes([0xAA, 0xBB]);
        writer.Text("é");
        writer.OptionalText(null);
        writer.OptionalText("x");
        writer.Address(IPAddress.Parse("10.0.0.1"));

        Assert.Equal(
            "0102" + "03040506" + "02AABB" + "0002C3A9" + "00" + "01000178" + "040A000001",
            Convert.ToHexString(writer.ToArray()));
    }

    [Fact]
    public void What_is_written_reads_back_in_order()
    {
        var writer = new BlobWriter();
        writer.Count(3);
        writer.Bool(true);
        writer.Text("kube-system");
        writer.OptionalText("pod-0");
        writer.Address(IPAddress.Parse("fd00::1"));
        var blob = writer.ToArray();

        var reader = new BlobReader(blob);
        Assert.Equal(3, reader.Count());
        Assert.True(reader.Bool());
        Assert.Equal("kube-system", reader.Text());
        Assert.Equal("pod-0", reader.OptionalText());
        Assert.Equal(IPAddress.Parse("fd00::1"), reader.Address());
        Assert.Equal(0, reader.Remaining);
    }

    [Fact]
    public void Damage_is_an_invalid_data_error()
    {
        Assert.Throws<InvalidDataException>(() => new BlobReader([0x00, 0x05, (byte)'a']).Text());
        Assert.Throws<InvalidDataException>(() => new BlobReader([0x03, 1, 2, 3]).Address());
        Assert.Throws<InvalidDataException>(() => new BlobReader([0x02]).Bool());
        // A count the bytes left could never hold.
        Assert.Throws<InvalidDataException>(() => new BlobReader([0x7F, 0xFF, 0xFF, 0xFF, 0x00]).Count());
        Assert.Throws<ArgumentOutOfRangeException>(() => new BlobWriter().U16(70_000));
    }

    [Fact]
    public void A_stored_slice_keeps_every_field()
    {
        var slice = new EndpointSliceObject
        {
            Namespace = "db",
            Name = "pg-abc",
            ServiceName = "pg",
            AddressType = "IPv6",
            Ports = [new ServicePort(new string('p', 63), "TCP", 5432), new ServicePort(null, "UDP", 53)],
            Endpoints =
            [
                new EndpointObject { Addresses = [IPAddress.Parse("fd00::5"), IPAddress.Parse("fd00::6")], Ready = true, Hostname = "pg-0", TargetPodName = "pg-0", NodeName = "node-a" },
                new EndpointObject { Addresses = [IPAddress.Parse("fd00::7")], Ready = false },
            ],
        };

        var decoded = StoredSlice.Decode("db/pg-abc", StoredSlice.Encode(slice));

        Assert.Equal(("db", "pg-abc", "pg", "IPv6"), (decoded.Namespace, decoded.Name, decoded.ServiceName, decoded.AddressType));
        Assert.Equal(slice.Ports, decoded.Ports);
        Assert.Equal(slice.Endpoints.Select(e => (string.Join(',', e.Addresses), e.Ready, e.Hostname, e.TargetPodName, e.NodeName)),
            decoded.Endpoints.Select(e => (string.Join(',', e.Addresses), e.Ready, e.Hostname, e.TargetPodName, e.NodeName)));
    }

    [Fact]
    public void An_entry_reads_back_its_counts_records_and_targets()
    {
        var name = DnsName.Parse("_http._tcp.web.default.svc.cluster.local.").Wire.ToArray();
        var target = DnsName.Parse("web.default.svc.cluster.local.").Wire.ToArray();
        var draft = new ClusterEntryDraft(name) { Children = 2, Markers = 1 };
        byte[] srv = [0, 0, 0, 100, 0, 80, .. target];
        draft.Add(RecordType.SRV, srv, 3);
        draft.Add(RecordType.TXT, [1, (byte)'x'], 1);

        var entry = new ClusterEntry(draft.Encode(_ => 30));

        Assert.Equal((2, 1, 2), (entry.Children, entry.Markers, entry.RRsetCount));
        var rrset = entry.Find(RecordType.SRV);
        Assert.Equal((1, 1), (rrset.Count, rrset.TargetCount));
        Assert.Equal(target, rrset.Target(0).ToArray());
        var reloaded = ClusterEntryDraft.Load(name, new ClusterEntry(draft.Encode(_ => 30)).Blob);
        Assert.Contains(reloaded.Records(), r => r.Type == RecordType.SRV && r.References == 3);
    }
}
