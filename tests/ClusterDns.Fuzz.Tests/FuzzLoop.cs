using System.Diagnostics;

namespace ClusterDns.Fuzz.Tests;

/// <summary>
/// Runs fuzz iterations on a dedicated thread under a watchdog: if the iteration counter does not move for a
/// whole step bound, the input being processed is reported as a hang. Any exception out of an iteration is
/// reported with its input (hex) and iteration number, so it can be replayed.
/// </summary>
internal sealed class FuzzLoop
{
    private long _completed;
    private byte[] _current = [];
    private Exception? _failure;
    private long _failedAt = -1;

    public sealed record Report(long Iterations, TimeSpan Elapsed)
    {
        public double PerSecond => Iterations / Math.Max(Elapsed.TotalSeconds, 1e-9);
    }

    /// <summary>Runs <paramref name="iterations"/> of: take the next input, check it. Throws on a failure or a hang.</summary>
    public Report Run(long iterations, TimeSpan stepBound, Func<byte[]> next, Action<byte[], long> check)
    {
        var clock = Stopwatch.StartNew();
        var worker = new Thread(() =>
        {
            for (long i = 0; i < iterations; i++)
            {
                try
                {
                    var input = next();
                    Volatile.Write(ref _current, input);
                    check(input, i);
                }
                catch (Exception exception)
                {
                    _failure = exception;
                    _failedAt = i;
                    return;
                }
                Volatile.Write(ref _completed, i + 1);
            }
        })
        {
            IsBackground = true,
            Name = "fuzz",
        };
        worker.Start();

        long seen = -1;
        while (!worker.Join(stepBound))
        {
            long now = Volatile.Read(ref _completed);
            if (now == seen)
            {
                // The thread is left behind (background): the test fails and the process ends with the run.
                throw new FuzzFailureException($"hang: iteration {now} made no progress for {stepBound}; input {Convert.ToHexString(Volatile.Read(ref _current))}");
            }
            seen = now;
        }
        if (_failure is not null)
        {
            throw new FuzzFailureException($"iteration {_failedAt}: {_failure.Message}; input {Convert.ToHexString(_current)}", _failure);
        }
        return new Report(iterations, clock.Elapsed);
    }
}

internal sealed class FuzzFailureException : Exception
{
    public FuzzFailureException(string message, Exception? inner = null) : base(message, inner)
    {
    }
}
