using System.Net.Sockets;
using ClusterDns.Protocol;

namespace ClusterDns.Server.Tests.Listeners;

/// <summary>
/// The listed hostile-packet cases against the real server over real sockets: each gets the documented answer
/// (or none), with the client's ID, and the server keeps serving.
/// </summary>
public sealed class HostilePacketTests : IAsyncLifetime
{
    private InProcessDnsServer _server = null!;

    public async Task InitializeAsync() => _server = await InProcessDnsServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    public static TheoryData<string, byte[], ResponseCode> Malformed => new()
    {
        { "QDCOUNT 0", new RawPacket(0x0a01, qd: 0).ToArray(), ResponseCode.FormErr },
        { "QDCOUNT 2", new RawPacket(0x0a02, qd: 2).Question("www.example.org.", RecordType.A).Question("mail.example.org.", RecordType.A).ToArray(), ResponseCode.FormErr },
        { "QDCOUNT 2, one question present", new RawPacket(0x0a03, qd: 2).Question("www.example.org.", RecordType.A).ToArray(), ResponseCode.FormErr },
        { "two OPT records", new RawPacket(0x0a04, ar: 2).Question("www.example.org.", RecordType.A).Opt().Opt().ToArray(), ResponseCode.FormErr },
        { "OPT in the answer section", new RawPacket(0x0a05, an: 1).Question("www.example.org.", RecordType.A).Opt().ToArray(), ResponseCode.FormErr },
        { "OPT in the authority section", new RawPacket(0x0a06, ns: 1).Question("www.example.org.", RecordType.A).Opt().ToArray(), ResponseCode.FormErr },
        { "ARCOUNT beyond the packet", new RawPacket(0x0a07, ar: 40).Question("www.example.org.", RecordType.A).Opt().ToArray(), ResponseCode.FormErr },
        { "EDNS version 1", new RawPacket(0x0a08, ar: 1).Question("www.example.org.", RecordType.A).Opt(version: 1).ToArray(), ResponseCode.BadVers },
        { "AXFR over UDP", new RawPacket(0x0a09).Question("example.org.", RecordType.AXFR).ToArray(), ResponseCode.Refused },
        { "IXFR over UDP", new RawPacket(0x0a0a).Question("example.org.", RecordType.IXFR).ToArray(), ResponseCode.Refused },
        { "opcode UPDATE", new RawPacket(0x0a0b, flags: 5 << 11).Question("example.org.", RecordType.SOA).ToArray(), ResponseCode.NotImp },
        // As CoreDNS's file plugin: it only serves class IN, and nothing after it does either.
        { "unknown class 42", new RawPacket(0x0a0c).Question("www.example.org.", RecordType.A, recordClass: 42).ToArray(), ResponseCode.ServFail },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public async Task MalformedQueriesGetTheirRcodeWithTheirId(string name, byte[] packet, ResponseCode expected)
    {
        var response = InProcessDnsServer.Parse(await _server.ExchangeUdpAsync(packet));

        Assert.True(response.Header.IsResponse, name);
        Assert.Equal(RawPacket.Id(packet), response.Header.Id);
        Assert.Equal(expected, response.Rcode);
        Assert.Empty(response.Answers);
    }

    /// <summary>Legal per RFC 1035 §4.1, though CoreDNS (miekg/dns's default accept function) answers them FORMERR.</summary>
    public static TheoryData<string, byte[]> UnusualButLegal => new()
    {
        { "a record in the answer section", new RawPacket(0x0b01, an: 1).Question("www.example.org.", RecordType.A).ARecord("www.example.org.").ToArray() },
        { "a record in the authority section", new RawPacket(0x0b02, ns: 1).Question("www.example.org.", RecordType.A).ARecord("example.org.").ToArray() },
        { "three additional records beside OPT", new RawPacket(0x0b03, ar: 3).Question("www.example.org.", RecordType.A).ARecord("a.example.").Opt().ARecord("b.example.").ToArray() },
    };

    [Theory]
    [MemberData(nameof(UnusualButLegal))]
    public async Task UnusualButLegalQueriesAreAnswered(string name, byte[] packet)
    {
        var response = InProcessDnsServer.Parse(await _server.ExchangeUdpAsync(packet));

        Assert.Equal(RawPacket.Id(packet), response.Header.Id);
        Assert.True(ResponseCode.NoError == response.Rcode, $"{name}: {response.Rcode}");
        Assert.NotEmpty(response.Answers);
    }

    [Fact]
    public async Task BadVersAnswerCarriesOurOpt()
    {
        var packet = new RawPacket(0x0b01, ar: 1).Question("www.example.org.", RecordType.A).Opt(version: 1).ToArray();

        var response = InProcessDnsServer.Parse(await _server.ExchangeUdpAsync(packet));

        Assert.NotNull(response.Edns);
        Assert.Equal(0, response.Edns!.Version);
        Assert.Equal(ResponseCode.BadVers, response.Rcode);
    }

    [Fact]
    public async Task TransfersAreRefusedOverTcpToo()
    {
        using var socket = await _server.ConnectTcpAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var axfr = new RawPacket(0x0c01).Question("example.org.", RecordType.AXFR).ToArray();

        await socket.SendAsync(InProcessDnsServer.Frame(axfr), SocketFlags.None, timeout.Token);
        var response = InProcessDnsServer.Parse(await InProcessDnsServer.ReadFrameAsync(socket, timeout.Token));

        Assert.Equal(0x0c01, response.Header.Id);
        Assert.Equal(ResponseCode.Refused, response.Rcode);
    }

    [Theory]
    [InlineData("well-formed response", true)]
    [InlineData("header only", false)]
    public async Task QrSetPacketsAreNeverAnsweredOverUdp(string name, bool withQuestion)
    {
        // A reply to a reply is a reflection vector. Send it, then a real query from the same socket: the first
        // datagram back must be the real query's answer.
        var reflected = withQuestion
            ? new RawPacket(0x0d01, flags: 0x8180, an: 1).Question("www.example.org.", RecordType.A).ARecord("www.example.org.").ToArray()
            : new RawPacket(0x0d01, flags: 0x8000, qd: 0).ToArray();
        var real = new RawPacket(0x0d02).Question("www.example.org.", RecordType.A).ToArray();
        using var client = new UdpClient(AddressFamily.InterNetwork);
        client.Connect(_server.Udp);

        await client.SendAsync(reflected);
        await client.SendAsync(real);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        var first = await client.ReceiveAsync(timeout.Token);

        Assert.True(RawPacket.Id(first.Buffer) == 0x0d02, $"{name}: got a reply with ID {RawPacket.Id(first.Buffer):x4}");
        Assert.Equal(ResponseCode.NoError, InProcessDnsServer.Parse(first.Buffer).Rcode);
    }

    [Fact]
    public async Task QrSetPacketsAreNeverAnsweredOverTcp()
    {
        using var socket = await _server.ConnectTcpAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var reflected = new RawPacket(0x0e01, flags: 0x8180).Question("www.example.org.", RecordType.A).ToArray();
        var real = new RawPacket(0x0e02).Question("www.example.org.", RecordType.A).ToArray();

        await socket.SendAsync(InProcessDnsServer.Frame(reflected).Concat(InProcessDnsServer.Frame(real)).ToArray(), SocketFlags.None, timeout.Token);
        var first = await InProcessDnsServer.ReadFrameAsync(socket, timeout.Token);

        Assert.Equal(0x0e02, RawPacket.Id(first));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(11)]
    public async Task TooShortForAHeaderIsDropped(int length)
    {
        var garbage = new byte[length];
        Array.Fill(garbage, (byte)0xAB);
        var real = new RawPacket(0x0f02).Question("www.example.org.", RecordType.A).ToArray();
        using var client = new UdpClient(AddressFamily.InterNetwork);
        client.Connect(_server.Udp);

        await client.SendAsync(garbage);
        await client.SendAsync(real);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        var first = await client.ReceiveAsync(timeout.Token);

        Assert.Equal(0x0f02, RawPacket.Id(first.Buffer));
    }

    [Fact]
    public async Task ZeroLengthTcpFrameClosesTheConnectionAndTheServerGoesOn()
    {
        using var socket = await _server.ConnectTcpAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));

        await socket.SendAsync(new byte[] { 0, 0 }, SocketFlags.None, timeout.Token);
        var response = await InProcessDnsServer.ReadFrameAsync(socket, timeout.Token);

        Assert.Null(response);
        await AssertStillServesTcpAsync(timeout.Token);
    }

    [Fact]
    public async Task MaximumSizeTcpFrameIsReadWholeAndAnsweredFormErr()
    {
        // A real query padded to 65535 bytes: trailing garbage after the counted records is FORMERR, and the
        // frame is consumed whole (the next query on the connection is read from the right offset).
        var padded = new RawPacket(0x1001).Question("www.example.org.", RecordType.A).ToArray();
        padded = padded.Concat(new byte[ushort.MaxValue - padded.Length]).ToArray();
        var next = new RawPacket(0x1002).Question("www.example.org.", RecordType.A).ToArray();
        using var socket = await _server.ConnectTcpAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));

        await socket.SendAsync(InProcessDnsServer.Frame(padded).Concat(InProcessDnsServer.Frame(next)).ToArray(), SocketFlags.None, timeout.Token);
        var first = InProcessDnsServer.Parse(await InProcessDnsServer.ReadFrameAsync(socket, timeout.Token));
        var second = InProcessDnsServer.Parse(await InProcessDnsServer.ReadFrameAsync(socket, timeout.Token));

        Assert.Equal(0x1001, first.Header.Id);
        Assert.Equal(ResponseCode.FormErr, first.Rcode);
        Assert.Equal(0x1002, second.Header.Id);
        Assert.Equal(2, second.Answers.Count);
    }

    [Fact]
    public async Task MaximumSizeUdpDatagramOfGarbageIsSurvived()
    {
        var garbage = new byte[65507];
        new Random(10).NextBytes(garbage);
        garbage[2] = 0x01; // QR=0: the server must parse it, not just drop it on the header.

        var reply = await _server.ExchangeUdpAsync(garbage);

        // Whatever the random opcode and question: a bare error answer with the ID, never silence or a crash.
        Assert.NotNull(reply);
        Assert.Equal(RawPacket.Id(garbage), RawPacket.Id(reply));
        Assert.True(reply.Length <= 512, $"an error answer of {reply.Length} bytes to a non-EDNS client");
        Assert.Equal(ResponseCode.NoError, InProcessDnsServer.Parse(await _server.ExchangeUdpAsync(new RawPacket(0x1101).Question("www.example.org.", RecordType.A).ToArray())).Rcode);
    }

    private async Task AssertStillServesTcpAsync(CancellationToken cancellationToken)
    {
        using var socket = await _server.ConnectTcpAsync();
        var query = new RawPacket(0x1201).Question("www.example.org.", RecordType.A).ToArray();
        await socket.SendAsync(InProcessDnsServer.Frame(query), SocketFlags.None, cancellationToken);
        var response = InProcessDnsServer.Parse(await InProcessDnsServer.ReadFrameAsync(socket, cancellationToken));
        Assert.Equal(0x1201, response.Header.Id);
        Assert.Equal(ResponseCode.NoError, response.Rcode);
    }
}
