namespace ClusterDns.Kubernetes.Tests.Api;

/// <summary>A known object's resourceVersion comes back exactly as sent, whether it was kept as a number or as text.</summary>
public sealed class KnownObjectTests
{
    [Theory]
    [InlineData("123456789")]
    [InlineData("0")]
    [InlineData("999999999999999999")] // 18 digits: still a number
    [InlineData("1234567890123456789")] // 19 digits: kept as text, never overflows
    [InlineData("00123")] // a leading zero would not come back from a number
    [InlineData("+5")]
    [InlineData("12a")]
    [InlineData("MTIzNDU2Nzg5MA")] // an opaque version of a non-etcd API server
    [InlineData("")]
    public void The_version_comes_back_as_sent_and_matches_only_itself(string version)
    {
        var known = new KnownObject(version, 1_700_000_000_000);
        Assert.Equal(version, known.ResourceVersion);
        Assert.True(known.HasVersion(version));
        Assert.False(known.HasVersion(version + "1"));
        Assert.False(known.HasVersion("7" + version));
        Assert.Equal(1_700_000_000_000, known.ReceivedAtUnixMs);
    }

    [Fact]
    public void A_number_does_not_match_its_zero_padded_text()
    {
        Assert.False(new KnownObject("123", 0).HasVersion("0123"));
        Assert.False(new KnownObject("0123", 0).HasVersion("123"));
    }
}
