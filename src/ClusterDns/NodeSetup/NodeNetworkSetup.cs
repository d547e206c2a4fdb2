using ClusterDns.NodeCache;
using Microsoft.Extensions.Logging;

namespace ClusterDns.NodeSetup;

/// <summary>
/// node-cache's networking (its setupNetworking and TeardownNetworking): the interface before the server starts,
/// then every sync interval the iptables rules (inserted first in their chains when missing) and the interface
/// again; on exit both removed unless <c>-skipteardown</c>. Failures are logged and counted, never fatal after start.
/// </summary>
internal sealed partial class NodeNetworkSetup(NodeCacheOptions options, Iptables? iptables, SetupErrors errors, ILogger logger)
{
    private readonly DummyInterface? _interface = options.SetupInterface ? new DummyInterface(options.InterfaceName, options.LocalIPs) : null;
    private readonly IReadOnlyList<IptablesRule> _rules = options.SetupIptables
        ? IptablesRule.ForNodeCache(options.LocalIPTexts, options.LocalPort, options.HealthPort)
        : [];

    public IReadOnlyList<IptablesRule> Rules => _rules;

    /// <summary>One pass: the rules, then the interface (node-cache's order).</summary>
    public void Sync()
    {
        if (iptables is not null)
        {
            foreach (var rule in _rules)
            {
                switch (iptables.Ensure(rule, out string message))
                {
                    case RuleOutcome.AlreadyThere:
                        break;
                    case RuleOutcome.Added:
                        LogRuleAdded(logger, rule.ToString());
                        break;
                    case RuleOutcome.Locked:
                        LogLocked(logger, rule.ToString(), options.SyncInterval);
                        errors.Count("iptables_lock");
                        break;
                    default:
                        LogRuleFailed(logger, rule.ToString(), message);
                        errors.Count("iptables");
                        break;
                }
            }
        }
        SyncInterface();
    }

    /// <summary>The interface alone: before the server binds the local addresses.</summary>
    public void SyncInterface()
    {
        if (_interface is null)
        {
            return;
        }
        try
        {
            if (!_interface.Ensure())
            {
                LogInterfaceAdded(logger, _interface.Name);
            }
        }
        catch (IOException exception)
        {
            LogInterfaceFailed(logger, _interface.Name, exception.Message);
            errors.Count(exception.Message.StartsWith("create", StringComparison.Ordinal) ? "interface_add" : "interface_check");
        }
    }

    /// <summary>Removes the interface and every rule (each rule's every copy).</summary>
    public void Teardown()
    {
        LogTeardown(logger);
        if (_interface is not null)
        {
            try
            {
                _interface.Remove();
            }
            catch (IOException exception)
            {
                LogInterfaceFailed(logger, _interface.Name, exception.Message);
            }
        }
        if (iptables is not null)
        {
            foreach (var rule in _rules)
            {
                iptables.DeleteAll(rule);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Added back nodelocaldns rule - {Rule}")]
    private static partial void LogRuleAdded(ILogger logger, string rule);

    [LoggerMessage(Level = LogLevel.Information, Message = "Error checking/adding iptables rule {Rule}, due to xtables lock in use, retrying in {Interval}")]
    private static partial void LogLocked(ILogger logger, string rule, TimeSpan interval);

    [LoggerMessage(Level = LogLevel.Error, Message = "Error adding iptables rule {Rule} - {Message}")]
    private static partial void LogRuleFailed(ILogger logger, string rule, string message);

    [LoggerMessage(Level = LogLevel.Information, Message = "Added interface - {Name}")]
    private static partial void LogInterfaceAdded(ILogger logger, string name);

    [LoggerMessage(Level = LogLevel.Error, Message = "Error setting up interface {Name} - {Message}")]
    private static partial void LogInterfaceFailed(ILogger logger, string name, string message);

    [LoggerMessage(Level = LogLevel.Information, Message = "Tearing down the nodelocaldns interface and iptables rules")]
    private static partial void LogTeardown(ILogger logger);
}
