using System.Reflection;
using ClusterDns.Server.Config;

namespace ClusterDns.Server.Tests.Architecture;

/// <summary>
/// The folders of ClusterDns.Server point one way (docs/architecture.md, "Folder dependencies"). Read from the
/// compiled assembly, so a fully qualified name or a lambda cannot hide an edge the way it hides from grep.
/// </summary>
public class FolderDependencyTests
{
    private const string Root = "ClusterDns.Server";
    private const string AnyPlugin = "Plugins.*";

    // What each folder may use besides itself. Hosting is the composition root; Plugins (the root file)
    // is the registry of every plugin's setup.
    private static readonly Dictionary<string, string[]> Allowed = new()
    {
        ["Pipeline"] = [],
        ["Zones"] = [],
        ["Telemetry"] = [],
        ["Http"] = [],
        ["Listeners"] = ["Pipeline"],
        ["Config"] = ["Pipeline", "Telemetry", "Http"],
        ["Common"] = ["Config", "Pipeline", "Telemetry", "Http", "Zones"],
        [AnyPlugin] = ["Common", "Config", "Pipeline", "Telemetry", "Http", "Zones"],
        ["Plugins"] = [AnyPlugin, "Config"],
        [Root] = ["Config", "Listeners", "Pipeline", "Telemetry", "Http", "Zones"],
        ["Hosting"] = ["Plugins", AnyPlugin, Root, "Config", "Listeners", "Pipeline", "Common", "Telemetry", "Http", "Zones"],
    };

    // The kubernetes plugin's rooms (docs/architecture.md, "The cluster zone"): the plugin's root (setup, the
    // writer loop, the handler) uses them all; each room only those after it.
    private const string Kubernetes = "Plugins.Kubernetes";

    private static readonly Dictionary<string, string[]> KubernetesRooms = new()
    {
        [Kubernetes] = ["Persistence", "Multicluster", "Building", "Index", "Services", "Names", "Binary", "Options"],
        ["Multicluster"] = ["Building", "Index", "Services", "Names", "Binary", "Options"],
        ["Persistence"] = ["Building", "Binary", "Options"],
        ["Building"] = ["Index", "Services", "Names", "Binary", "Options"],
        ["Index"] = ["Services", "Names", "Binary", "Options"],
        ["Services"] = ["Names", "Binary", "Options"],
        ["Names"] = ["Options"],
        ["Binary"] = [],
        ["Options"] = [],
    };

    [Fact]
    public void Every_folder_uses_only_the_folders_below_it()
    {
        var wrong = Edges()
            .Where(e => !IsAllowed(e.Key.From, e.Key.To))
            .Select(e => $"{e.Key.From} -> {e.Key.To} ({e.Value})")
            .ToArray();
        Assert.True(wrong.Length == 0, "Folder edges against the direction:\n" + string.Join('\n', wrong));
    }

    [Fact]
    public void The_folder_graph_has_no_cycle()
    {
        var next = Edges().Keys.GroupBy(e => e.From).ToDictionary(g => g.Key, g => g.Select(e => e.To).ToArray());
        var state = new Dictionary<string, int>(); // 1 on the path, 2 done
        var path = new Stack<string>();
        string? cycle = null;
        void Visit(string folder)
        {
            state[folder] = 1;
            path.Push(folder);
            foreach (var to in next.GetValueOrDefault(folder, []))
            {
                if (cycle is not null)
                {
                    return;
                }
                if (state.GetValueOrDefault(to) == 1)
                {
                    cycle = string.Join(" <- ", path.TakeWhile(f => f != to).Prepend(to).Append(to));
                }
                else if (state.GetValueOrDefault(to) == 0)
                {
                    Visit(to);
                }
            }
            path.Pop();
            state[folder] = 2;
        }
        foreach (var folder in next.Keys.Where(f => state.GetValueOrDefault(f) == 0))
        {
            Visit(folder);
        }
        Assert.Null(cycle);
    }

    [Fact]
    public void The_check_sees_an_edge_that_exists()
    {
        // The reader must find a known use (Config's builder links Pipeline handlers), or the tests above prove nothing.
        Assert.Contains(Edges().Keys, e => e == ("Config", "Pipeline"));
        Assert.Contains(Edges().Keys, e => e == ("Listeners", "Pipeline"));
    }

    private static bool IsAllowed(string from, string to)
    {
        if (from.StartsWith(Kubernetes, StringComparison.Ordinal) && to.StartsWith(Kubernetes, StringComparison.Ordinal))
        {
            return KubernetesRooms.GetValueOrDefault(Room(from), []).Contains(Room(to));
        }
        if (from.StartsWith(Kubernetes + ".", StringComparison.Ordinal))
        {
            from = Kubernetes; // a room uses the rest of the server as its plugin may
        }
        var rule = from.StartsWith("Plugins.", StringComparison.Ordinal) ? AnyPlugin : from;
        var allowed = Allowed.GetValueOrDefault(rule, []);
        return allowed.Contains(to) || (to.StartsWith("Plugins.", StringComparison.Ordinal) && allowed.Contains(AnyPlugin));
    }

    private static string Room(string folder) => folder == Kubernetes ? Kubernetes : folder[(Kubernetes.Length + 1)..];

    /// <summary>Folder → folder, with one example type pair each.</summary>
    private static Dictionary<(string From, string To), string> Edges()
    {
        var edges = new Dictionary<(string, string), string>();
        foreach (var type in typeof(ServerPipeline).Assembly.GetTypes())
        {
            if (FolderOf(type) is not { } from)
            {
                continue;
            }
            foreach (var used in TypeReferences.Of(type))
            {
                if (used.Assembly == type.Assembly && FolderOf(used) is { } to && to != from)
                {
                    edges.TryAdd((from, to), $"{type.FullName} uses {used.FullName}");
                }
            }
        }
        return edges;
    }

    /// <summary>"Config", "Plugins.Cache", "Plugins" or "ClusterDns.Server" for the root; null for generated helpers.</summary>
    private static string? FolderOf(Type type)
    {
        while (type.DeclaringType is { } outer)
        {
            type = outer;
        }
        var ns = type.Namespace;
        if (ns == Root)
        {
            return Root;
        }
        return ns is not null && ns.StartsWith(Root + ".", StringComparison.Ordinal) ? ns[(Root.Length + 1)..] : null;
    }
}
