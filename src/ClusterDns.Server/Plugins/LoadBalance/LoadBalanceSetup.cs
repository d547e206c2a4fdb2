using System.Security.Cryptography;
using ClusterDns.Corefile;
using ClusterDns.Server.Config;
using Microsoft.Extensions.Logging;

namespace ClusterDns.Server.Plugins.LoadBalance;

/// <summary>
/// <c>loadbalance [round_robin | weighted WEIGHTFILE] { reload DURATION; prefer CIDR... }</c>, as CoreDNS 1.14:
/// <c>reload</c> only with <c>weighted</c>; <c>prefer</c> with either policy.
/// </summary>
public sealed class LoadBalanceSetup : IPluginSetup
{
    public string Name => "loadbalance";

    public void Setup(Directive directive, ServerBlockBuilder block)
    {
        var options = Parse(directive, block.Context.ResolvePath);
        if (!options.IsWeighted)
        {
            block.AddHandler(new LoadBalanceHandler(options, WeightTable.Empty, null));
            return;
        }
        var (weights, hash) = LoadWeights(directive.Args[1], options.WeightFile!);
        var handler = new LoadBalanceHandler(options, weights, null);
        block.AddHandler(handler);
        if (options.Reload > TimeSpan.Zero)
        {
            var logger = block.Context.LoggerFactory.CreateLogger("ClusterDns.Plugins.LoadBalance");
            block.Context.Components.Add(new WeightFileWatcher(handler, options.WeightFile!, options.Reload, hash, logger));
        }
    }

    public static LoadBalanceOptions Parse(Directive directive, Func<string, string>? resolvePath = null)
    {
        var options = LoadBalanceOptions.RoundRobin;
        if (directive.Args.Count > 0)
        {
            switch (directive.Args[0].Text)
            {
                case "round_robin":
                    if (directive.Args.Count > 1)
                    {
                        throw directive.ArgError(1, "unknown property for round_robin");
                    }
                    break;
                case "weighted":
                    if (directive.Args.Count < 2)
                    {
                        throw directive.ArgError(0, "missing weight file argument");
                    }
                    if (directive.Args.Count > 2)
                    {
                        throw directive.ArgError(2, "unexpected argument(s) after the weight file");
                    }
                    string file = directive.Args[1].Text;
                    options = options with { WeightFile = resolvePath is null ? file : resolvePath(file) };
                    break;
                default:
                    throw directive.ArgError(0, $"unknown policy '{directive.Args[0].Text}' (expected round_robin or weighted)");
            }
        }
        var prefer = new List<Subnet>();
        foreach (var sub in directive.Block)
        {
            switch (sub.Name)
            {
                case "reload" when options.IsWeighted:
                    if (sub.Args.Count == 0)
                    {
                        throw sub.Error("reload duration value is missing");
                    }
                    if (sub.Args.Count > 1)
                    {
                        throw sub.Args[1].Error("unexpected argument");
                    }
                    var reload = sub.Args[0].ParseDuration();
                    if (reload < TimeSpan.Zero)
                    {
                        throw sub.Args[0].Error("invalid reload duration (negative)");
                    }
                    options = options with { Reload = reload };
                    break;
                case "prefer":
                    foreach (var arg in sub.Args)
                    {
                        if (!Subnet.TryParse(arg.Text, out var subnet))
                        {
                            throw arg.Error($"invalid CIDR '{arg.Text}'");
                        }
                        prefer.Add(subnet);
                    }
                    break;
                default:
                    throw sub.Error($"unknown property '{sub.Name}'");
            }
        }
        return prefer.Count == 0 ? options : options with { Prefer = prefer };
    }

    /// <summary>Reads and parses the weight file at start-up; a missing or bad file is an error at the file's token.</summary>
    internal static (WeightTable Table, byte[] Hash) LoadWeights(Token fileToken, string path)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            throw fileToken.Error($"cannot read weight file '{path}': {exception.Message}");
        }
        if (!WeightTable.TryParse(System.Text.Encoding.UTF8.GetString(bytes), out var table, out int line, out var error))
        {
            throw fileToken.Error($"weight file {path}:{line}: {error}");
        }
        return (table, SHA256.HashData(bytes));
    }
}
