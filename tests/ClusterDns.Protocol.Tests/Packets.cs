namespace ClusterDns.Protocol.Tests;

/// <summary>Hex pieces for hand-made packets (malformed ones especially), so each test reads as its layout.</summary>
internal static class Packets
{
    /// <summary>Header with id 0x1234, the given flags (default: a query with RD) and counts.</summary>
    public static string Header(int qd, int an = 0, int ns = 0, int ar = 0, string flags = "0100") =>
        $"1234{flags}{qd:x4}{an:x4}{ns:x4}{ar:x4}";

    /// <summary>www.example.test at offset 12 (18 bytes), type A, class IN.</summary>
    public const string Question = "03777777076578616d706c650474657374" + "00" + "00010001";

    /// <summary>An A record whose owner points to the question (offset 12).</summary>
    public const string AnswerA = "c00c" + "0001" + "0001" + "00000e10" + "0004" + "c0000201";

    /// <summary>OPT: root owner, UDP 1232, version 0, no options.</summary>
    public const string Opt = "00" + "0029" + "04d0" + "00000000" + "0000";

    public static string Label(int length, char fill = 'a') =>
        length.ToString("x2") + string.Concat(Enumerable.Repeat(((int)fill).ToString("x2"), length));

    public static byte[] Bytes(string hex) => Convert.FromHexString(hex.Replace(" ", "", StringComparison.Ordinal));
}
