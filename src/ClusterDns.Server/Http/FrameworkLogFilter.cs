using Microsoft.Extensions.Logging;

namespace ClusterDns.Server.Http;

/// <summary>
/// Hands the server's logger factory to the embedded Kestrel hosts, but lets ASP.NET Core's and the host's own
/// categories through only from Warning up: a probe every few seconds must not write two log lines each.
/// </summary>
internal sealed class FrameworkLogFilter : ILoggerFactory
{
    private readonly ILoggerFactory _inner;

    public FrameworkLogFilter(ILoggerFactory inner) => _inner = inner;

    public ILogger CreateLogger(string categoryName) =>
        categoryName.StartsWith("Microsoft.", StringComparison.Ordinal)
            ? new WarningsOnly(_inner.CreateLogger(categoryName))
            : _inner.CreateLogger(categoryName);

    public void AddProvider(ILoggerProvider provider)
    {
        // The inner factory belongs to the server's host; providers are configured there.
    }

    public void Dispose()
    {
        // The inner factory belongs to the server's host.
    }

    private sealed class WarningsOnly : ILogger
    {
        private readonly ILogger _inner;

        public WarningsOnly(ILogger inner) => _inner = inner;

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => _inner.BeginScope(state) ?? NullScope.Instance;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning && _inner.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                _inner.Log(logLevel, eventId, state, exception, formatter);
            }
        }
    }

    private sealed class NullScope : IDisposable
    {
        public static readonly NullScope Instance = new();

        public void Dispose()
        {
        }
    }
}
