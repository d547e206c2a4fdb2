namespace ClusterDns.Clients.Tests;

/// <summary>
/// What an environment started, torn down in reverse order (daemons before their network namespace), then its
/// temporary folder. Idempotent: xunit may dispose after a failed initialization that already cleaned up.
/// </summary>
internal sealed class TeardownStack(string directory)
{
    private readonly Stack<IAsyncDisposable> _started = new();

    /// <summary>Records <paramref name="item"/> to be disposed before everything started earlier.</summary>
    public T Push<T>(T item)
        where T : IAsyncDisposable
    {
        _started.Push(item);
        return item;
    }

    public async Task DisposeAsync()
    {
        while (_started.TryPop(out var item))
        {
            await item.DisposeAsync();
        }
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
            // A daemon may still hold a file for a moment (the temp folder is left behind), or an earlier dispose
            // already removed it.
        }
    }
}
