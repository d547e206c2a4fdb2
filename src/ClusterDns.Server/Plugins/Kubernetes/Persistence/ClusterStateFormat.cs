using System.Security.Cryptography;
using ClusterDns.Kubernetes;
using ClusterDns.Server.Plugins.Kubernetes.Binary;
using ClusterDns.Server.Plugins.Kubernetes.Building;
using ClusterDns.Server.Plugins.Kubernetes.Index;
using ClusterDns.Server.Plugins.Kubernetes.Services;

namespace ClusterDns.Server.Plugins.Kubernetes.Persistence;

/// <summary>
/// The image of the cluster state file, in the builder's one binary layout (<see cref="BlobWriter"/>):
/// <code>
/// [magic "CNDS"] [format version u32] [options hash: text] [SOA serial u32]
/// [namespace count u32] per namespace: [name] [labels] [resourceVersion]
/// [service count u32]   per Service:   [namespace] [name] [type] [headless u8] [cluster IP count u16] [address]…
///                                      [ExternalName: optional text] [ports] [publishNotReady u8] [has selector u8]
///                                      [labels] [resourceVersion] [external IP count u16] [address]…
///                                      [ingress hostname count u32] [hostname]…
/// [slice count u32]     per slice:     [namespace] [name] [the slice as <see cref="StoredSlice"/> stores it] [resourceVersion]
/// [pod count u32]       per pod:       [namespace] [name] [IP count u16] [address]… [phase: optional text] [resourceVersion]
/// [SHA-256 of everything before it, 32 bytes]
/// ports: [count u16] per port [name: optional text] [protocol: text] [port u16];  labels: [count u32] per label [key] [value]
/// </code>
/// Version 1 (before the one layout) was little-endian with 7-bit string lengths: it reads as another version
/// and is ignored with a warning, as any unusable file is; the next save replaces it. Version 2 had no serial;
/// version 3 no external IPs or load balancer ingress.
/// </summary>
public static class ClusterStateFormat
{
    public const uint FormatVersion = 4;

    private static ReadOnlySpan<byte> Magic => "CNDS"u8;

    private static readonly IReadOnlyDictionary<string, string> NoLabels = new Dictionary<string, string>();

    /// <summary>The file image: header, objects, then a SHA-256 of everything before it.</summary>
    public static byte[] Encode(ClusterState objects, string optionsHash)
    {
        using var image = new MemoryStream();
        EncodeTo(image, objects, optionsHash);
        return image.ToArray();
    }

    /// <summary>
    /// Writes the file image to <paramref name="destination"/> in pieces of about <see cref="PieceSize"/> bytes,
    /// hashing as it goes: a save of 100,000 Services holds one piece, not a 10 MB image and the copies its
    /// growth left behind (which stayed resident after every save).
    /// </summary>
    public static void EncodeTo(Stream destination, ClusterState objects, string optionsHash)
    {
        using var checksum = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var writer = new BlobWriter(PieceSize + 4096);
        void Flush(bool force)
        {
            if (force || writer.Position >= PieceSize)
            {
                checksum.AppendData(writer.Written);
                destination.Write(writer.Written);
                writer.Clear();
            }
        }
        writer.Bytes(Magic);
        writer.U32(FormatVersion);
        writer.Text(optionsHash);
        writer.U32(objects.Serial);
        writer.Count(objects.Namespaces.Count);
        foreach (var ns in objects.Namespaces)
        {
            writer.Text(ns.Name);
            WriteLabels(writer, ns.Labels);
            writer.Text(ns.ResourceVersion);
            Flush(force: false);
        }
        writer.Count(objects.Services.Count);
        foreach (var service in objects.Services)
        {
            writer.Text(service.Namespace);
            writer.Text(service.Name);
            writer.Text(service.Type);
            writer.Bool(service.IsHeadless);
            writer.Addresses(service.ClusterIPs);
            writer.OptionalText(service.ExternalName);
            StoredSlice.WritePorts(writer, service.Ports);
            writer.Bool(service.PublishNotReadyAddresses);
            writer.Bool(service.HasSelector);
            WriteLabels(writer, service.Labels);
            writer.Text(service.ResourceVersion);
            writer.Addresses(service.ExternalIPs);
            writer.Count(service.IngressHostnames.Count);
            foreach (var hostname in service.IngressHostnames)
            {
                writer.Text(hostname);
            }
            Flush(force: false);
        }
        writer.Count(objects.Slices.Count);
        foreach (var slice in objects.Slices)
        {
            writer.Text(slice.Namespace);
            writer.Text(slice.Name);
            StoredSlice.Write(writer, slice);
            writer.Text(slice.ResourceVersion);
            Flush(force: false);
        }
        writer.Count(objects.Pods.Count);
        foreach (var pod in objects.Pods)
        {
            writer.Text(pod.Namespace);
            writer.Text(pod.Name);
            writer.Addresses(pod.PodIPs);
            writer.OptionalText(pod.Phase);
            writer.Text(pod.ResourceVersion);
            Flush(force: false);
        }
        Flush(force: true);
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        checksum.GetHashAndReset(hash);
        destination.Write(hash);
    }

    /// <summary>The piece <see cref="EncodeTo"/> writes at a time: under the large-object heap's 85,000 bytes.</summary>
    private const int PieceSize = 64 * 1024;

    /// <summary>Reads a file image whole; false with the reason when it is damaged, of another version or of other options.</summary>
    public static bool TryDecode(byte[] image, string optionsHash, out ClusterState? objects, out string? problem)
    {
        objects = null;
        if (!TryOpen(image, optionsHash, out var opened, out problem))
        {
            return false;
        }
        var namespaces = new List<NamespaceObject>();
        var services = new List<ServiceObject>();
        var slices = new List<EndpointSliceObject>();
        var pods = new List<PodObject>();
        try
        {
            foreach (var obj in opened!.Objects())
            {
                switch (obj)
                {
                    case NamespaceObject ns: namespaces.Add(ns); break;
                    case ServiceObject service: services.Add(service); break;
                    case EndpointSliceObject slice: slices.Add(slice); break;
                    case PodObject pod: pods.Add(pod); break;
                }
            }
        }
        catch (Exception exception) when (IsDecodeError(exception))
        {
            problem = DecodeProblem(exception);
            return false;
        }
        objects = new ClusterState(services, slices, pods, namespaces, opened.Serial);
        return true;
    }

    /// <summary>
    /// Checks a file image (checksum, magic, format version, options) and reads its header; its objects are then
    /// read one at a time by <see cref="ClusterStateImage.Objects"/>. False with the reason when it is unusable.
    /// </summary>
    public static bool TryOpen(byte[] image, string optionsHash, out ClusterStateImage? opened, out string? problem)
    {
        opened = null;
        if (image.Length < Magic.Length + 4 + SHA256.HashSizeInBytes)
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
            var reader = new BlobReader(body);
            if (!reader.Bytes(Magic.Length).SequenceEqual(Magic))
            {
                problem = "not a snapshot file";
                return false;
            }
            uint version = reader.U32();
            if (version != FormatVersion)
            {
                // Format 1 wrote its version little-endian, so it reads as 0x01000000 here.
                string written = version == 0x0100_0000 ? "format 1" : $"format {version}";
                problem = $"written in another format ({written}, this build reads format {FormatVersion}); it is replaced at the next save";
                return false;
            }
            if (reader.Text() != optionsHash)
            {
                problem = "it was written for another zone configuration (kubernetes options differ)";
                return false;
            }
            uint serial = reader.U32();
            opened = new ClusterStateImage(image, reader.Position, body.Length, serial);
            problem = null;
            return true;
        }
        catch (Exception exception) when (IsDecodeError(exception))
        {
            problem = DecodeProblem(exception);
            return false;
        }
    }

    /// <summary>What reading an image's contents throws where they do not decode.</summary>
    public static bool IsDecodeError(Exception exception) => exception is InvalidDataException or ArgumentException or FormatException;

    public static string DecodeProblem(Exception exception) => "the contents do not decode: " + exception.Message;

    internal static NamespaceObject ReadNamespace(ref BlobReader reader) =>
        new() { Name = reader.Text(), Labels = ReadLabels(ref reader), ResourceVersion = reader.Text() };

    internal static EndpointSliceObject ReadSlice(ref BlobReader reader)
    {
        string ns = reader.Text();
        string name = reader.Text();
        var slice = StoredSlice.Read(ref reader, ns, name);
        return new EndpointSliceObject
        {
            Namespace = ns,
            Name = name,
            ServiceName = slice.ServiceName,
            AddressType = slice.AddressType,
            Ports = slice.Ports,
            Endpoints = slice.Endpoints,
            ResourceVersion = reader.Text(),
        };
    }

    internal static PodObject ReadPod(ref BlobReader reader) => new()
    {
        Namespace = reader.Text(),
        Name = reader.Text(),
        PodIPs = reader.Addresses(),
        Phase = reader.OptionalText(),
        ResourceVersion = reader.Text(),
    };

    internal static ServiceObject ReadService(ref BlobReader reader)
    {
        string ns = reader.Text();
        string name = reader.Text();
        string type = reader.Text();
        bool headless = reader.Bool();
        var ips = reader.Addresses();
        string? externalName = reader.OptionalText();
        var ports = StoredSlice.ReadPorts(ref reader);
        bool publishNotReady = reader.Bool();
        bool hasSelector = reader.Bool();
        var labels = ReadLabels(ref reader);
        string resourceVersion = reader.Text();
        var externalIPs = reader.Addresses();
        var hostnames = new string[reader.Count(minimumItemSize: 2)];
        for (int i = 0; i < hostnames.Length; i++)
        {
            hostnames[i] = reader.Text();
        }
        return new ServiceObject
        {
            Namespace = ns,
            Name = name,
            Type = type,
            IsHeadless = headless,
            ClusterIPs = ips,
            ExternalName = externalName,
            ExternalIPs = externalIPs,
            IngressHostnames = hostnames,
            Ports = ports,
            PublishNotReadyAddresses = publishNotReady,
            HasSelector = hasSelector,
            Labels = labels,
            ResourceVersion = resourceVersion,
        };
    }

    private static void WriteLabels(BlobWriter writer, IReadOnlyDictionary<string, string> labels)
    {
        writer.Count(labels.Count);
        foreach (var (key, value) in labels)
        {
            writer.Text(key);
            writer.Text(value);
        }
    }

    private static IReadOnlyDictionary<string, string> ReadLabels(ref BlobReader reader)
    {
        int count = reader.Count(minimumItemSize: 4);
        if (count == 0)
        {
            return NoLabels;
        }
        var labels = new Dictionary<string, string>(count, StringComparer.Ordinal);
        for (int i = 0; i < count; i++)
        {
            labels[reader.Text()] = reader.Text();
        }
        return labels;
    }
}
