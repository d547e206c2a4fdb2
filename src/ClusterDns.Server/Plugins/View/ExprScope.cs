using ClusterDns.Server.Pipeline;

namespace ClusterDns.Server.Plugins.View;

/// <summary>
/// One evaluation: the query and a scratch buffer that text values (the name, addresses, ports) are formatted
/// into. One per thread, reused, so evaluating a view allocates nothing.
/// </summary>
internal sealed class ExprScope
{
    private const int ScratchSize = 4096;

    [ThreadStatic]
    private static ExprScope? _current;

    private readonly char[] _scratch = new char[ScratchSize];
    private int _used;
    private bool _lastFromScratch;

    public DnsQueryContext Context { get; private set; } = null!;

    /// <summary>The calling thread's scope, reset for <paramref name="context"/>.</summary>
    public static ExprScope For(DnsQueryContext context)
    {
        var scope = _current ??= new ExprScope();
        scope.Context = context;
        scope._used = 0;
        return scope;
    }

    /// <summary>Room for up to <paramref name="length"/> characters; a new array when the scratch is full (rare).</summary>
    public Memory<char> Rent(int length)
    {
        _lastFromScratch = _used + length <= ScratchSize;
        return _lastFromScratch ? _scratch.AsMemory(_used, length) : new char[length];
    }

    /// <summary>Keeps the first <paramref name="written"/> characters of the last <see cref="Rent"/> and returns them.</summary>
    public ReadOnlyMemory<char> Commit(Memory<char> rented, int written)
    {
        if (_lastFromScratch)
        {
            _used += written;
        }
        return rented[..written];
    }
}
