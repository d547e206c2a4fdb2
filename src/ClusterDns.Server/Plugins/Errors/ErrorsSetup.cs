using System.Text.RegularExpressions;
using ClusterDns.Corefile;
using ClusterDns.Server.Config;
using Microsoft.Extensions.Logging;

namespace ClusterDns.Server.Plugins.Errors;

/// <summary><c>errors { stacktrace; consolidate DURATION REGEXP [LEVEL] [show_first] }</c>, as CoreDNS's errors plugin.</summary>
public sealed class ErrorsSetup : IPluginSetup
{
    public string Name => "errors";

    public void Setup(Directive directive, ServerBlockBuilder block)
    {
        if (block.Handlers.Any(h => h.Name == Name))
        {
            throw directive.Error("'errors' is given more than once in this server block");
        }
        var options = Parse(directive);
        var logger = block.Context.LoggerFactory.CreateLogger("ClusterDns.Plugins.Errors");
        var handler = new ErrorsHandler(options, logger);
        block.AddHandler(handler);
        if (handler.Consolidation.Count > 0)
        {
            block.Context.Components.Add(new ErrorsConsolidator(handler.Consolidation, logger));
        }
    }

    internal static ErrorsOptions Parse(Directive directive)
    {
        directive.ExpectArgCount(0, 0);
        var rules = new List<ConsolidationRule>();
        bool stackTrace = false;
        foreach (var sub in directive.Block)
        {
            switch (sub.Name)
            {
                case "stacktrace":
                    sub.ExpectArgCount(0, 0);
                    stackTrace = true;
                    break;
                case "consolidate":
                    sub.ExpectArgCount(2, 4);
                    // show_first (CoreDNS 1.13) comes last, after the optional level.
                    bool showFirst = sub.Args.Count > 2 && sub.Args[^1].Text == "show_first";
                    int levelArgs = sub.Args.Count - 2 - (showFirst ? 1 : 0);
                    if (levelArgs > 1)
                    {
                        throw sub.ArgError(3, $"expected show_first after the level, not '{sub.Args[3].Text}'");
                    }
                    var period = sub.Args[0].ParseDuration();
                    if (period <= TimeSpan.Zero)
                    {
                        throw sub.Args[0].Error("consolidation period must be positive");
                    }
                    Regex pattern;
                    try
                    {
                        pattern = new Regex(sub.Args[1].Text, RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100));
                    }
                    catch (ArgumentException exception)
                    {
                        throw sub.Args[1].Error($"'{sub.Args[1].Text}' is not a valid regular expression: {exception.Message}");
                    }
                    var level = levelArgs == 1 ? ParseLevel(sub.Args[2]) : LogLevel.Error;
                    rules.Add(new ConsolidationRule(period, pattern, level, showFirst));
                    break;
                default:
                    throw directive.UnknownSubdirective(sub);
            }
        }
        return new ErrorsOptions(rules, stackTrace);
    }

    private static LogLevel ParseLevel(Token token) => token.Text switch
    {
        "warning" => LogLevel.Warning,
        "error" => LogLevel.Error,
        "info" => LogLevel.Information,
        "debug" => LogLevel.Debug,
        _ => throw token.Error($"unknown log level '{token.Text}' (expected warning, error, info or debug)"),
    };
}
