using System.Collections.Concurrent;

namespace ClusterDns.Kubernetes.Conversion;

/// <summary>
/// One instance per distinct value of the fields that repeat across thousands of objects (namespaces, port
/// names and protocols, address types, label keys, node names), so that a large cluster's objects do not each
/// hold their own copy. Not for values that are mostly unique (label values such as pod-template-hash): the pool
/// never forgets, and is bounded: past <see cref="Capacity"/> values, values are kept as they are.
/// Thread-safe; the informers of every kind convert concurrently.
/// </summary>
internal static class SharedStrings
{
    public const int Capacity = 65_536;

    private static readonly Pool<string> Strings = new(StringComparer.Ordinal);
    private static readonly Pool<ServicePort> Ports = new(EqualityComparer<ServicePort>.Default);

    public static string? Share(string? value) => string.IsNullOrEmpty(value) ? value : Strings.Share(value);

    /// <summary>A port with the same name, protocol and number as one seen before is that one (ports are immutable records).</summary>
    public static ServicePort Share(ServicePort port) => Ports.Share(port);

    private sealed class Pool<T>(IEqualityComparer<T> comparer) where T : notnull
    {
        private readonly ConcurrentDictionary<T, T> _values = new(comparer);
        // ConcurrentDictionary.Count takes every lock: the bound is checked against this count instead.
        private int _count;

        public T Share(T value)
        {
            if (_values.TryGetValue(value, out var shared))
            {
                return shared;
            }
            if (Volatile.Read(ref _count) >= Capacity)
            {
                return value;
            }
            shared = _values.GetOrAdd(value, value);
            if (ReferenceEquals(shared, value))
            {
                Interlocked.Increment(ref _count);
            }
            return shared;
        }
    }
}
