using System.Globalization;

namespace ClusterDns.Fuzz.Tests;

/// <summary>
/// How long the fuzzers run. CI: a fixed seed and a bounded count (tens of seconds on 2 cores). The long run:
/// <c>CLUSTERDNS_FUZZ_ITERATIONS=5000000 dotnet test tests/ClusterDns.Fuzz.Tests</c> (optionally a
/// <c>CLUSTERDNS_FUZZ_SEED</c> to explore elsewhere).
/// </summary>
internal static class FuzzSettings
{
    public const int DefaultSeed = 20261122;

    public static int Seed => ReadInt("CLUSTERDNS_FUZZ_SEED", DefaultSeed);

    public static int Iterations(int ciDefault) => ReadInt("CLUSTERDNS_FUZZ_ITERATIONS", ciDefault);

    /// <summary>One input may take at most this long; longer is a hang (answers from memory take microseconds).</summary>
    public static TimeSpan StepBound => TimeSpan.FromSeconds(ReadInt("CLUSTERDNS_FUZZ_STEP_SECONDS", 5));

    private static int ReadInt(string name, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) && value > 0 ? value : fallback;
}
