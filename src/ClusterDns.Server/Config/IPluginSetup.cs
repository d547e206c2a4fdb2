using ClusterDns.Corefile;

namespace ClusterDns.Server.Config;

/// <summary>
/// Turns one Corefile directive into typed options and a handler (or a component), or throws a
/// <see cref="CorefileException"/> naming file, line and reason. One implementation per plugin folder.
/// </summary>
public interface IPluginSetup
{
    /// <summary>The directive name, as in the Corefile.</summary>
    string Name { get; }

    void Setup(Directive directive, ServerBlockBuilder block);
}
