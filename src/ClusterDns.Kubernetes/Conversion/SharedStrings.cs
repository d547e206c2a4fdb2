using System.Collections.Concurrent;

namespace ClusterDns.Kubernetes.Conversion;

/// <summary>
/// One instance per distinct value of the fields that repeat across thousands of objects (namespaces, port
/// names and protocols, address types, label keys, node names), so that a large cluster's objects do not each
/// hold their own copy. Not for values that are mostly unique (label values such as pod-template-hash): the pool
/// never forgets, and is bounded: past <see cref="Capacity"/> values, strings are kept as they are.
/// Thread-safe; the informers of every kind convert concurrently.
/// </summary>
internal static class SharedStrings
{
    public const int Capacity = 65_536;

    private static readonly ConcurrentDictionary<string, string> Strings = new(StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<ServicePort, ServicePort> Ports = new();
    // ConcurrentDictionary.Count takes every lock: the bound is checked against these counts instead.
    private static int _stringCount;
    private static int _portCount;

    public static string? Share(string? value)
    {
        if (value is null || value.Length == 0)
        {
            return value;
        }
        if (Strings.TryGetValue(value, out var shared))
        {
            return shared;
        }
        if (Volatile.Read(ref _stringCount) >= Capacity)
        {
            return value;
        }
        shared = Strings.GetOrAdd(value, value);
        if (ReferenceEquals(shared, value))
        {
            Interlocked.Increment(ref _stringCount);
        }
        return shared;
    }

    /// <summary>A port with the same name, protocol and number as one seen before is that one (ports are immutable records).</summary>
    public static ServicePort Share(ServicePort port)
    {
        if (Ports.TryGetValue(port, out var shared))
        {
            return shared;
        }
        if (Volatile.Read(ref _portCount) >= Capacity)
        {
            return port;
        }
        shared = Ports.GetOrAdd(port, port);
        if (ReferenceEquals(shared, port))
        {
            Interlocked.Increment(ref _portCount);
        }
        return shared;
    }
}
