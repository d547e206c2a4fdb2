namespace ClusterDns.Server.Config;

/// <summary>The plugin setups this build of the server knows, by directive name.</summary>
public sealed class PluginRegistry
{
    private readonly Dictionary<string, IPluginSetup> _setups = new(StringComparer.Ordinal);

    public PluginRegistry(IEnumerable<IPluginSetup> setups)
    {
        foreach (var setup in setups)
        {
            _setups[setup.Name] = setup;
        }
    }

    public IEnumerable<string> Names => _setups.Keys;

    public bool TryGet(string name, out IPluginSetup setup) => _setups.TryGetValue(name, out setup!);
}
