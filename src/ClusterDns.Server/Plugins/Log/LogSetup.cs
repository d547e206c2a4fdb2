using ClusterDns.Corefile;
using ClusterDns.Protocol;
using ClusterDns.Server.Config;
using Microsoft.Extensions.Logging;

namespace ClusterDns.Server.Plugins.Log;

/// <summary><c>log [NAMES...] [FORMAT] { class CLASSES... }</c>, as CoreDNS's log plugin.</summary>
public sealed class LogSetup : IPluginSetup
{
    public string Name => "log";

    public void Setup(Directive directive, ServerBlockBuilder block)
    {
        var rules = Parse(directive);
        var handler = block.Handlers.OfType<LogHandler>().FirstOrDefault();
        if (handler is null)
        {
            var writer = new QueryLogWriter(block.Context.LoggerFactory.CreateLogger("ClusterDns.Plugins.Log"));
            handler = new LogHandler(writer);
            block.AddHandler(handler);
            block.Context.Components.Add(writer);
        }
        handler.AddRules(rules);
    }

    internal static IReadOnlyList<LogRule> Parse(Directive directive)
    {
        var args = directive.Args.Select(a => a.Text).ToList();
        string format = LogOptions.CommonFormat;
        // As CoreDNS: a last argument containing '{' is the format.
        if (args.Count > 0 && args[^1].Contains('{'))
        {
            format = args[^1]
                .Replace("{common}", LogOptions.CommonFormat, StringComparison.Ordinal)
                .Replace("{combined}", LogOptions.CombinedFormat, StringComparison.Ordinal);
            args.RemoveAt(args.Count - 1);
        }
        var names = new List<DnsName>();
        for (int i = 0; i < args.Count; i++)
        {
            string text = args[i].EndsWith('.') ? args[i] : args[i] + ".";
            if (!DnsName.TryParse(text, out var name, out var error))
            {
                throw directive.ArgError(i, $"'{args[i]}' is not a valid name to log: {error}");
            }
            names.Add(name.ToLower());
        }
        if (names.Count == 0)
        {
            names.Add(DnsName.Root);
        }
        var classes = ResponseClasses.None;
        foreach (var sub in directive.Block)
        {
            if (sub.Name != "class")
            {
                throw directive.UnknownSubdirective(sub);
            }
            sub.ExpectArgCount(1, int.MaxValue);
            foreach (var arg in sub.Args)
            {
                classes |= arg.Text switch
                {
                    "all" => ResponseClasses.All,
                    "success" => ResponseClasses.Success,
                    "denial" => ResponseClasses.Denial,
                    "error" => ResponseClasses.Error,
                    _ => throw arg.Error($"unknown response class '{arg.Text}' (expected all, success, denial or error)"),
                };
            }
        }
        if (classes == ResponseClasses.None)
        {
            classes = ResponseClasses.All;
        }
        return names.Select(name => new LogRule(name, format, classes)).ToArray();
    }
}
