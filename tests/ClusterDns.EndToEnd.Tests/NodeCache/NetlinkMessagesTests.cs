using System.Net;
using ClusterDns.NodeSetup;

namespace ClusterDns.EndToEnd.Tests.NodeCache;

/// <summary>
/// The rtnetlink requests, byte for byte. The expected bytes are what iproute2 6.1 sends for the same request
/// (captured with <c>strace -e write=3</c>: <c>ip link add nodelocaldns type dummy</c>, <c>ip addr add
/// 169.254.20.10/32 dev lo</c>, <c>ip link del lo</c>), with the sequence number set to the test's.
/// </summary>
public sealed class NetlinkMessagesTests
{
    [Fact]
    public void A_dummy_link_is_created_as_ip_link_add_type_dummy_asks()
    {
        Assert.Equal(
            "44000000" + "1000" + "0506" + "01000000" + "00000000"     // nlmsghdr: 68 bytes, RTM_NEWLINK, REQUEST|ACK|EXCL|CREATE, seq 1
            + "00000000" + "00000000" + "00000000" + "00000000"        // ifinfomsg: all zero
            + "11000300" + "6e6f64656c6f63616c646e7300" + "000000"     // IFLA_IFNAME "nodelocaldns\0", padded
            + "10001200" + "09000100" + "64756d6d79" + "000000",       // IFLA_LINKINFO { IFLA_INFO_KIND "dummy" }
            Convert.ToHexStringLower(NetlinkMessages.CreateDummyLink("nodelocaldns", 1)));
    }

    [Fact]
    public void A_host_address_is_added_as_ip_addr_add_slash_32_asks()
    {
        Assert.Equal(
            "28000000" + "1400" + "0506" + "07000000" + "00000000"     // 40 bytes, RTM_NEWADDR, REQUEST|ACK|EXCL|CREATE, seq 7
            + "02200000" + "01000000"                                  // ifaddrmsg: AF_INET, /32, flags 0, scope universe, index 1
            + "08000200" + "a9fe140a"                                  // IFA_LOCAL 169.254.20.10
            + "08000100" + "a9fe140a",                                 // IFA_ADDRESS 169.254.20.10
            Convert.ToHexStringLower(NetlinkMessages.AddHostAddress(1, IPAddress.Parse("169.254.20.10"), 7)));
    }

    [Fact]
    public void An_ipv6_host_address_is_a_slash_128()
    {
        var message = NetlinkMessages.AddHostAddress(3, IPAddress.Parse("fd00::10"), 1);

        Assert.Equal(16 + 8 + 20 + 20, message.Length);
        Assert.Equal("0a800000" + "03000000", Convert.ToHexStringLower(message.AsSpan(16, 8)));
    }

    [Fact]
    public void A_link_is_deleted_by_index_as_ip_link_del_asks()
    {
        Assert.Equal(
            "20000000" + "1100" + "0500" + "02000000" + "00000000" + "00000000" + "01000000" + "00000000" + "00000000",
            Convert.ToHexStringLower(NetlinkMessages.DeleteLinkByIndex(1, 2)));
    }

    [Fact]
    public void A_link_is_looked_up_by_name()
    {
        Assert.Equal(
            "28000000" + "1200" + "0100" + "05000000" + "00000000"     // 40 bytes, RTM_GETLINK, REQUEST, seq 5
            + "00000000" + "00000000" + "00000000" + "00000000"        // ifinfomsg: index 0 (by name)
            + "07000300" + "6c6f0000",                                 // IFLA_IFNAME "lo\0", padded
            Convert.ToHexStringLower(NetlinkMessages.GetLinkByName("lo", 5)));
    }

    [Theory]
    [InlineData("240000000200000001000000000000000000000000000000000000000000000000000000", 0)]
    [InlineData("24000000020000000100000000000000efffffff00000000000000000000000000000000", 17)]
    [InlineData("24000000020000000100000000000000edffffff00000000000000000000000000000000", 19)]
    public void Errors_are_read_as_positive_errno(string hex, int errno)
    {
        Assert.Equal(errno, NetlinkMessages.ReadError(Convert.FromHexString(hex)));
    }

    [Fact]
    public void A_short_or_other_message_is_neither_an_error_nor_a_link()
    {
        Assert.Null(NetlinkMessages.ReadError(new byte[8]));
        Assert.Null(NetlinkMessages.ReadLinkIndex(new byte[8]));
        Assert.Null(NetlinkMessages.ReadLinkIndex(NetlinkMessages.GetLinkByName("lo", 1)));
        var answer = new byte[32];
        answer[4] = 16; // RTM_NEWLINK
        answer[20] = 9; // ifi_index
        Assert.Equal(9, NetlinkMessages.ReadLinkIndex(answer));
    }
}
