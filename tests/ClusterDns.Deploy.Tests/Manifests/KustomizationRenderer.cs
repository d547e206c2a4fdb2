using YamlDotNet.RepresentationModel;

namespace ClusterDns.Deploy.Tests.Manifests;

/// <summary>
/// Renders a kustomization the way <c>kubectl kustomize</c> does, for the fields deploy/ uses: resources (files,
/// or folders holding a kustomization), namespace and images. Any other field is an error, so that deploy/ cannot
/// grow a feature these tests would silently render wrong; where kubectl is installed a test checks that both
/// renderings are the same objects.
/// </summary>
internal static class KustomizationRenderer
{
    private static readonly HashSet<string> SupportedFields = ["apiVersion", "kind", "namespace", "resources", "images"];

    /// <summary>Kinds that have no namespace: kustomize leaves them alone.</summary>
    private static readonly HashSet<string> ClusterScopedKinds =
        ["Namespace", "ClusterRole", "ClusterRoleBinding", "PriorityClass", "StorageClass", "CustomResourceDefinition", "PersistentVolume"];

    public static List<YamlMappingNode> Render(string directory)
    {
        string file = Path.Combine(directory, "kustomization.yaml");
        var documents = Yaml.LoadDocuments(File.ReadAllText(file), file);
        if (documents.Count != 1)
        {
            throw new InvalidDataException($"{file}: expected one document");
        }

        var kustomization = documents[0];
        foreach (var key in kustomization.Children.Keys.Select(k => ((YamlScalarNode)k).Value!))
        {
            if (!SupportedFields.Contains(key))
            {
                throw new NotSupportedException($"{file}: '{key}' is not rendered by the tests' KustomizationRenderer; extend it");
            }
        }

        var objects = new List<YamlMappingNode>();
        foreach (string resource in kustomization.Texts("resources"))
        {
            string path = Path.GetFullPath(Path.Combine(directory, resource));
            if (Directory.Exists(path))
            {
                objects.AddRange(Render(path));
            }
            else if (File.Exists(path))
            {
                objects.AddRange(Yaml.LoadDocuments(File.ReadAllText(path), path));
            }
            else
            {
                throw new FileNotFoundException($"{file}: resource '{resource}' does not exist", path);
            }
        }

        if (kustomization.Text("namespace") is { Length: > 0 } ns)
        {
            foreach (var item in objects)
            {
                SetNamespace(item, ns);
            }
        }

        foreach (var image in kustomization.Seq("images"))
        {
            foreach (var item in objects)
            {
                ReplaceImage(item, image.Text("name")!, image.Text("newName"), image.Text("newTag"), image.Text("digest"));
            }
        }

        return objects;
    }

    private static void SetNamespace(YamlMappingNode item, string ns)
    {
        if (!ClusterScopedKinds.Contains(item.Kind()))
        {
            item.Map("metadata").Children[new YamlScalarNode("namespace")] = new YamlScalarNode(ns);
        }
        if (item.Kind() is "RoleBinding" or "ClusterRoleBinding")
        {
            foreach (var subject in item.Seq("subjects").OfType<YamlMappingNode>().Where(s => s.Text("kind") == "ServiceAccount"))
            {
                subject.Children[new YamlScalarNode("namespace")] = new YamlScalarNode(ns);
            }
        }
    }

    private static void ReplaceImage(YamlMappingNode item, string name, string? newName, string? newTag, string? digest)
    {
        var podSpec = item.Find("spec", "template", "spec") ?? item.Find("spec");
        if (podSpec is null)
        {
            return;
        }
        foreach (var container in podSpec.Seq("containers").Concat(podSpec.Seq("initContainers")).OfType<YamlMappingNode>())
        {
            string? current = container.Text("image");
            if (current is null || ImageName(current) != name)
            {
                continue;
            }
            string reference = (newName ?? name) + (digest is not null ? "@" + digest : newTag is not null ? ":" + newTag : current[ImageName(current).Length..]);
            container.Children[new YamlScalarNode("image")] = new YamlScalarNode(reference);
        }
    }

    /// <summary>The image without its tag or digest ("registry:5000/a/b:1.0" → "registry:5000/a/b").</summary>
    private static string ImageName(string image)
    {
        int at = image.IndexOf('@', StringComparison.Ordinal);
        string withoutDigest = at >= 0 ? image[..at] : image;
        int colon = withoutDigest.LastIndexOf(':');
        return colon > withoutDigest.LastIndexOf('/') ? withoutDigest[..colon] : withoutDigest;
    }
}
