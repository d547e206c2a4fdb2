using System.Net;
using ClusterDns.Protocol;
using ClusterDns.Server.Pipeline;
using ClusterDns.Server.Tests.Support;

namespace ClusterDns.Server.Tests.Plugins.View;

/// <summary>Queries as a listener would hand them over: a client address and port, a transport, a server address.</summary>
internal static class ViewQueries
{
    public static DnsQueryContext From(string client, string name = "example.com.", RecordType type = RecordType.A,
        TransportKind transport = TransportKind.Udp, ushort? ednsSize = 1232, int clientPort = 40000, RecordClass recordClass = RecordClass.IN)
    {
        var context = InProcessQuery.Prepare(name, type, transport, ednsSize, recordClass);
        context.RemoteAddress = new IPEndPoint(IPAddress.Parse(client), clientPort).Serialize();
        context.LocalAddress = IPAddress.Parse("192.0.2.53");
        context.LocalPort = 1053;
        return context;
    }
}
