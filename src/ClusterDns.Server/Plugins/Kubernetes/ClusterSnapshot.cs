using System.Net;
using System.Security.Cryptography;
using System.Text;
using ClusterDns.Kubernetes;
using Microsoft.Extensions.Logging;

namespace ClusterDns.Server.Plugins.Kubernetes;

/// <summary>
/// Our extension <c>kubernetes { snapshot FILE }</c>: the last synced cluster objects on disk, so that a restarted
/// replica answers from them before the API server is reachable. The file is a compact binary image (magic,
/// version, a hash of the options that shape the zone, the objects, a SHA-256 of all that); it is written after
/// changes, debounced, to a temporary file renamed over the old one. A file that is corrupt, truncated or from
/// another zone configuration is ignored with a warning.
/// </summary>
public sealed partial class ClusterSnapshot
{
    private const uint Magic = 0x53444e43; // "CNDS" little-endian on disk
    private const int FormatVersion = 1;

    private static readonly IReadOnlyDictionary<string, string> NoLabels = new System.Collections.ObjectModel.ReadOnlyDictionary<string, string>(new Dictionary<string, string>());

    private readonly ILogger _logger;
    private readonly SemaphoreSlim _changed = new(0, 1);
    private ClusterObjects? _pending;
    private CancellationTokenSource? _stopping;
    private Task _saving = Task.CompletedTask;

    public ClusterSnapshot(string path, string optionsHash, ILogger logger, TimeSpan? debounce = null)
    {
        Path = path;
        OptionsHash = optionsHash;
        _logger = logger;
        Debounce = debounce ?? TimeSpan.FromSeconds(1);
    }

    public string Path { get; }

    public string OptionsHash { get; }

    /// <summary>Changes arriving within this time after the first are written together.</summary>
    public TimeSpan Debounce { get; }

    /// <summary>Raised after the file was replaced (tests await it).</summary>
    public event Action? Saved;

    /// <summary>The objects of the zone at one moment (they are immutable; the collections are copies).</summary>
    public sealed record ClusterObjects(
        IReadOnlyCollection<ServiceObject> Services,
        IReadOnlyCollection<EndpointSliceObject> Slices,
        IReadOnlyCollection<PodObject> Pods,
        IReadOnlyCollection<NamespaceObject> Namespaces);

    /// <summary>A hash of the options that decide which objects exist and what records they make.</summary>
    public static string HashOptions(KubernetesOptions options)
    {
        var text = new StringBuilder();
        text.Append("zones=").AppendJoin(',', options.Zones.Select(z => z.ToString())).Append('\n');
        text.Append("namespaces=").AppendJoin(',', options.Namespaces.Order(StringComparer.Ordinal)).Append('\n');
        text.Append("namespace_labels=").Append(options.NamespaceLabels).Append('\n');
        text.Append("labels=").Append(options.Labels).Append('\n');
        text.Append("pods=").Append(options.Pods).Append('\n');
        text.Append("endpoint_pod_names=").Append(options.EndpointPodNames).Append('\n');
        text.Append("noendpoints=").Append(options.NoEndpoints).Append('\n');
        text.Append("ignore_empty_service=").Append(options.IgnoreEmptyService).Append('\n');
        text.Append("endpoint=").Append(options.Endpoint).Append('\n');
        text.Append("kubeconfig=").Append(options.KubeConfigPath).Append(' ').Append(options.KubeConfigContext).Append('\n');
        text.Append("manifests=").Append(options.ManifestsDirectory).Append('\n');
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    /// <summary>
    /// Reads the file into upserts followed by one <see cref="ChangeType.Synced"/> per kind in <paramref name="kinds"/>.
    /// Null when there is no usable file (missing: silently; corrupt or foreign: with a warning).
    /// </summary>
    public IReadOnlyList<ClusterChange>? TryLoad(IEnumerable<ResourceKind> kinds)
    {
        byte[] bytes;
        try
        {
            if (!File.Exists(Path))
            {
                return null;
            }
            bytes = File.ReadAllBytes(Path);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            LogIgnored(_logger, Path, exception.Message);
            return null;
        }
        if (!TryDecode(bytes, OptionsHash, out var objects, out var problem))
        {
            LogIgnored(_logger, Path, problem!);
            return null;
        }
        var changes = new List<ClusterChange>();
        changes.AddRange(objects!.Namespaces.Select(n => ClusterChange.Upsert(ResourceKind.Namespace, n.Key, n)));
        changes.AddRange(objects.Services.Select(s => ClusterChange.Upsert(ResourceKind.Service, s.Key, s)));
        changes.AddRange(objects.Slices.Select(s => ClusterChange.Upsert(ResourceKind.EndpointSlice, s.Key, s)));
        changes.AddRange(objects.Pods.Select(p => ClusterChange.Upsert(ResourceKind.Pod, p.Key, p)));
        changes.AddRange(kinds.Select(ClusterChange.Synced));
        LogLoaded(_logger, Path, objects.Services.Count, objects.Slices.Count, objects.Pods.Count, objects.Namespaces.Count);
        return changes;
    }

    public void Start()
    {
        _stopping = new CancellationTokenSource();
        var token = _stopping.Token;
        _saving = Task.Run(() => SaveLoopAsync(token), CancellationToken.None);
    }

    /// <summary>Asks for <paramref name="objects"/> to be written (the latest request wins; debounced).</summary>
    public void Schedule(ClusterObjects objects)
    {
        Volatile.Write(ref _pending, objects);
        if (_changed.CurrentCount == 0)
        {
            try
            {
                _changed.Release();
            }
            catch (SemaphoreFullException)
            {
                // Already signalled.
            }
        }
    }

    /// <summary>Stops the writer, writing what is still pending first.</summary>
    public async Task StopAsync()
    {
        if (_stopping is null)
        {
            return;
        }
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _saving.ConfigureAwait(false);
        _stopping.Dispose();
        _stopping = null;
        SavePending();
    }

    private async Task SaveLoopAsync(CancellationToken token)
    {
        try
        {
            while (true)
            {
                await _changed.WaitAsync(token).ConfigureAwait(false);
                await Task.Delay(Debounce, token).ConfigureAwait(false);
                SavePending();
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
        }
    }

    private void SavePending()
    {
        var objects = Interlocked.Exchange(ref _pending, null);
        if (objects is null)
        {
            return;
        }
        string temporary = Path + ".tmp-" + Guid.NewGuid().ToString("N");
        try
        {
            var directory = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(Path));
            if (directory is not null)
            {
                Directory.CreateDirectory(directory);
            }
            using (var file = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                file.Write(Encode(objects, OptionsHash));
                file.Flush(flushToDisk: true);
            }
            File.Move(temporary, Path, overwrite: true);
            Saved?.Invoke();
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            LogSaveFailed(_logger, exception, Path);
            TryDelete(temporary);
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
        }
    }

    /// <summary>The file image: header, objects, then a SHA-256 of everything before it.</summary>
    public static byte[] Encode(ClusterObjects objects, string optionsHash)
    {
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(Magic);
            writer.Write(FormatVersion);
            writer.Write(optionsHash);
            writer.Write(objects.Namespaces.Count);
            foreach (var ns in objects.Namespaces)
            {
                writer.Write(ns.Name);
                WriteLabels(writer, ns.Labels);
                writer.Write(ns.ResourceVersion);
            }
            writer.Write(objects.Services.Count);
            foreach (var service in objects.Services)
            {
                writer.Write(service.Namespace);
                writer.Write(service.Name);
                writer.Write(service.Type);
                writer.Write(service.IsHeadless);
                WriteAddresses(writer, service.ClusterIPs);
                WriteOptional(writer, service.ExternalName);
                WritePorts(writer, service.Ports);
                writer.Write(service.PublishNotReadyAddresses);
                WriteLabels(writer, service.Labels);
                writer.Write(service.ResourceVersion);
            }
            writer.Write(objects.Slices.Count);
            foreach (var slice in objects.Slices)
            {
                writer.Write(slice.Namespace);
                writer.Write(slice.Name);
                WriteOptional(writer, slice.ServiceName);
                writer.Write(slice.AddressType);
                writer.Write(slice.Endpoints.Count);
                foreach (var endpoint in slice.Endpoints)
                {
                    WriteAddresses(writer, endpoint.Addresses);
                    writer.Write(endpoint.Ready);
                    WriteOptional(writer, endpoint.Hostname);
                    WriteOptional(writer, endpoint.TargetPodName);
                    WriteOptional(writer, endpoint.NodeName);
                }
                WritePorts(writer, slice.Ports);
                writer.Write(slice.ResourceVersion);
            }
            writer.Write(objects.Pods.Count);
            foreach (var pod in objects.Pods)
            {
                writer.Write(pod.Namespace);
                writer.Write(pod.Name);
                WriteAddresses(writer, pod.PodIPs);
                WriteOptional(writer, pod.Phase);
                writer.Write(pod.ResourceVersion);
            }
        }
        var body = stream.ToArray();
        var image = new byte[body.Length + SHA256.HashSizeInBytes];
        body.CopyTo(image, 0);
        SHA256.HashData(body, image.AsSpan(body.Length));
        return image;
    }

    /// <summary>Reads a file image; false with the reason when it is damaged, of another version or of other options.</summary>
    public static bool TryDecode(byte[] image, string optionsHash, out ClusterObjects? objects, out string? problem)
    {
        objects = null;
        if (image.Length < 8 + SHA256.HashSizeInBytes)
        {
            problem = "the file is too short to be a snapshot";
            return false;
        }
        var body = image.AsSpan(0, image.Length - SHA256.HashSizeInBytes);
        if (!SHA256.HashData(body).AsSpan().SequenceEqual(image.AsSpan(body.Length)))
        {
            problem = "the checksum does not match (a damaged or truncated file)";
            return false;
        }
        try
        {
            using var reader = new BinaryReader(new MemoryStream(image, 0, body.Length), Encoding.UTF8);
            if (reader.ReadUInt32() != Magic || reader.ReadInt32() != FormatVersion)
            {
                problem = "not a snapshot of this format version";
                return false;
            }
            if (reader.ReadString() != optionsHash)
            {
                problem = "it was written for another zone configuration (kubernetes options differ)";
                return false;
            }
            var namespaces = ReadList(reader, () => new NamespaceObject { Name = reader.ReadString(), Labels = ReadLabels(reader), ResourceVersion = reader.ReadString() });
            var services = ReadList(reader, () => new ServiceObject
            {
                Namespace = reader.ReadString(),
                Name = reader.ReadString(),
                Type = reader.ReadString(),
                IsHeadless = reader.ReadBoolean(),
                ClusterIPs = ReadAddresses(reader),
                ExternalName = ReadOptional(reader),
                Ports = ReadPorts(reader),
                PublishNotReadyAddresses = reader.ReadBoolean(),
                Labels = ReadLabels(reader),
                ResourceVersion = reader.ReadString(),
            });
            var slices = ReadList(reader, () => new EndpointSliceObject
            {
                Namespace = reader.ReadString(),
                Name = reader.ReadString(),
                ServiceName = ReadOptional(reader),
                AddressType = reader.ReadString(),
                Endpoints = ReadList(reader, () => new EndpointObject
                {
                    Addresses = ReadAddresses(reader),
                    Ready = reader.ReadBoolean(),
                    Hostname = ReadOptional(reader),
                    TargetPodName = ReadOptional(reader),
                    NodeName = ReadOptional(reader),
                }),
                Ports = ReadPorts(reader),
                ResourceVersion = reader.ReadString(),
            });
            var pods = ReadList(reader, () => new PodObject
            {
                Namespace = reader.ReadString(),
                Name = reader.ReadString(),
                PodIPs = ReadAddresses(reader),
                Phase = ReadOptional(reader),
                ResourceVersion = reader.ReadString(),
            });
            if (reader.BaseStream.Position != body.Length)
            {
                problem = "unexpected bytes after the objects";
                return false;
            }
            objects = new ClusterObjects(services, slices, pods, namespaces);
            problem = null;
            return true;
        }
        catch (Exception exception) when (exception is EndOfStreamException or IOException or FormatException or ArgumentException or InvalidDataException)
        {
            problem = "the contents do not decode: " + exception.Message;
            return false;
        }
    }

    private static void WriteOptional(BinaryWriter writer, string? value)
    {
        writer.Write(value is not null);
        if (value is not null)
        {
            writer.Write(value);
        }
    }

    private static string? ReadOptional(BinaryReader reader) => reader.ReadBoolean() ? reader.ReadString() : null;

    private static void WriteAddresses(BinaryWriter writer, IReadOnlyList<IPAddress> addresses)
    {
        writer.Write(addresses.Count);
        Span<byte> bytes = stackalloc byte[16];
        foreach (var address in addresses)
        {
            address.TryWriteBytes(bytes, out int length);
            writer.Write((byte)length);
            writer.Write(bytes[..length]);
        }
    }

    private static IPAddress[] ReadAddresses(BinaryReader reader) => ReadList(reader, () =>
    {
        int length = reader.ReadByte();
        if (length is not (4 or 16))
        {
            throw new InvalidDataException($"an address of {length} bytes");
        }
        return new IPAddress(reader.ReadBytes(length));
    });

    private static void WritePorts(BinaryWriter writer, IReadOnlyList<ServicePort> ports)
    {
        writer.Write(ports.Count);
        foreach (var port in ports)
        {
            WriteOptional(writer, port.Name);
            writer.Write(port.Protocol);
            writer.Write(port.Port);
        }
    }

    private static ServicePort[] ReadPorts(BinaryReader reader) =>
        ReadList(reader, () => new ServicePort(ReadOptional(reader), reader.ReadString(), reader.ReadInt32()));

    private static void WriteLabels(BinaryWriter writer, IReadOnlyDictionary<string, string> labels)
    {
        writer.Write(labels.Count);
        foreach (var (key, value) in labels)
        {
            writer.Write(key);
            writer.Write(value);
        }
    }

    private static IReadOnlyDictionary<string, string> ReadLabels(BinaryReader reader)
    {
        int count = ReadCount(reader);
        if (count == 0)
        {
            return NoLabels;
        }
        var labels = new Dictionary<string, string>(count, StringComparer.Ordinal);
        for (int i = 0; i < count; i++)
        {
            labels[reader.ReadString()] = reader.ReadString();
        }
        return labels;
    }

    private static T[] ReadList<T>(BinaryReader reader, Func<T> read)
    {
        var items = new T[ReadCount(reader)];
        for (int i = 0; i < items.Length; i++)
        {
            items[i] = read();
        }
        return items;
    }

    /// <summary>A count never larger than the bytes left could hold (a checksum-valid file is ours, but be strict).</summary>
    private static int ReadCount(BinaryReader reader)
    {
        int count = reader.ReadInt32();
        if (count < 0 || count > reader.BaseStream.Length - reader.BaseStream.Position)
        {
            throw new InvalidDataException($"a count of {count}");
        }
        return count;
    }

    [LoggerMessage(EventId = 320, Level = LogLevel.Warning, Message = "Cluster snapshot {Path} ignored: {Problem}")]
    private static partial void LogIgnored(ILogger logger, string path, string problem);

    [LoggerMessage(EventId = 321, Level = LogLevel.Information, Message = "Cluster snapshot {Path} loaded: {Services} services, {Slices} endpoint slices, {Pods} pods, {Namespaces} namespaces; answering from it until the source syncs")]
    private static partial void LogLoaded(ILogger logger, string path, int services, int slices, int pods, int namespaces);

    [LoggerMessage(EventId = 322, Level = LogLevel.Warning, Message = "Writing the cluster snapshot {Path} failed")]
    private static partial void LogSaveFailed(ILogger logger, Exception exception, string path);
}
