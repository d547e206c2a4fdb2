using ClusterDns.Server.Plugins.Kubernetes.Binary;

namespace ClusterDns.Server.Plugins.Kubernetes.Persistence;

/// <summary>
/// A state file image whose checksum, format and options were checked (<see cref="ClusterStateFormat.TryOpen"/>), read
/// object by object: a replica loading 100,000 Services applies each as it is decoded instead of holding them all
/// first (which peaked at 177 MB at 100k, and ran out of memory under an 80 MiB heap limit).
/// </summary>
public sealed class ClusterStateImage
{
    /// <summary>The sections in file order, each a count then its objects, with the least bytes one object takes.</summary>
    private static readonly (Section Kind, int MinimumSize)[] Sections =
        [(Section.Namespaces, 8), (Section.Services, 20), (Section.Slices, 16), (Section.Pods, 9)];

    private enum Section { Namespaces, Services, Slices, Pods }

    private readonly byte[] _image;
    private readonly int _objectsStart;
    private readonly int _bodyEnd;

    internal ClusterStateImage(byte[] image, int objectsStart, int bodyEnd, uint serial)
    {
        _image = image;
        _objectsStart = objectsStart;
        _bodyEnd = bodyEnd;
        Serial = serial;
    }

    /// <summary>The SOA serial the file was saved with.</summary>
    public uint Serial { get; }

    /// <summary>
    /// Namespaces, Services, slices, then pods (<see cref="Kubernetes.NamespaceObject"/> and the other object types), each
    /// decoded when it is reached. Where the contents do not decode it throws what
    /// <see cref="ClusterStateFormat.IsDecodeError"/> accepts, after the objects before it.
    /// </summary>
    public IEnumerable<object> Objects()
    {
        int position = _objectsStart;
        foreach (var (kind, minimumSize) in Sections)
        {
            (int count, position) = ReadCount(position, minimumSize);
            for (int i = 0; i < count; i++)
            {
                (var obj, position) = ReadObject(kind, position);
                yield return obj;
            }
        }
        if (position != _bodyEnd)
        {
            throw new InvalidDataException("unexpected bytes after the objects");
        }
    }

    private (int Count, int Next) ReadCount(int position, int minimumSize)
    {
        var reader = new BlobReader(_image.AsSpan(position, _bodyEnd - position));
        int count = reader.Count(minimumSize);
        return (count, position + reader.Position);
    }

    private (object Object, int Next) ReadObject(Section kind, int position)
    {
        var reader = new BlobReader(_image.AsSpan(position, _bodyEnd - position));
        object obj = kind switch
        {
            Section.Namespaces => ClusterStateFormat.ReadNamespace(ref reader),
            Section.Services => ClusterStateFormat.ReadService(ref reader),
            Section.Slices => ClusterStateFormat.ReadSlice(ref reader),
            _ => ClusterStateFormat.ReadPod(ref reader),
        };
        return (obj, position + reader.Position);
    }
}
