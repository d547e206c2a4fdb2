using System.Globalization;
using ClusterDns.Corefile;
using ClusterDns.Protocol;
using ClusterDns.Server.Config;
using Microsoft.Extensions.Logging;

namespace ClusterDns.Server.Plugins.Cache;

/// <summary>
/// <c>cache [TTL] [ZONES...] { success CAPACITY [TTL] [MINTTL]; denial CAPACITY [TTL] [MINTTL];
/// prefetch AMOUNT [[DURATION] [PERCENTAGE%]];
/// serve_stale [DURATION] [immediate [TTL [RECHECK]] | verify [TIMEOUT [TTL [RECHECK]]]]; serve_stale_policy prefer_positive; servfail DURATION;
/// disable success|denial [ZONES...]; keepttl }</c>.
/// </summary>
public sealed class CacheSetup : IPluginSetup
{
    private readonly TimeProvider _time;

    public CacheSetup(TimeProvider? time = null) => _time = time ?? TimeProvider.System;

    public string Name => "cache";

    public void Setup(Directive directive, ServerBlockBuilder block)
    {
        var options = Parse(directive, block.Zones);
        var handler = new CacheHandler(options, _time, block.Context.LoggerFactory.CreateLogger("ClusterDns.Cache"));
        block.AddHandler(handler);
        string server = "dns://:" + block.Port.ToString(CultureInfo.InvariantCulture);
        CacheMetrics.Register(block.Context.Metrics, server, string.Join(',', block.Zones), handler);
    }

    internal static CacheOptions Parse(Directive directive, IReadOnlyList<DnsName> blockZones)
    {
        var args = directive.Args;
        int first = 0;
        TimeSpan? maxTtl = null;
        if (args.Count > 0 && args[0].Text.All(char.IsAsciiDigit))
        {
            maxTtl = TimeSpan.FromSeconds(args[0].ParseInt(0));
            first = 1;
        }
        var options = new CacheOptions { Zones = ZoneArguments.OrBlock(args, first, blockZones) };
        if (maxTtl is { } ttl)
        {
            options = options with { SuccessMaxTtl = ttl, DenialMaxTtl = ttl };
        }

        Directive? policy = null;
        foreach (var sub in directive.Block)
        {
            switch (sub.Name)
            {
                case "success":
                    sub.ExpectArgCount(1, 3);
                    options = options with
                    {
                        SuccessCapacity = sub.Args[0].ParseInt(1),
                        SuccessMaxTtl = sub.Args.Count > 1 ? Seconds(sub.Args[1]) : options.SuccessMaxTtl,
                        SuccessMinTtl = sub.Args.Count > 2 ? Seconds(sub.Args[2]) : options.SuccessMinTtl,
                    };
                    break;
                case "denial":
                    sub.ExpectArgCount(1, 3);
                    options = options with
                    {
                        DenialCapacity = sub.Args[0].ParseInt(1),
                        DenialMaxTtl = sub.Args.Count > 1 ? Seconds(sub.Args[1]) : options.DenialMaxTtl,
                        DenialMinTtl = sub.Args.Count > 2 ? Seconds(sub.Args[2]) : options.DenialMinTtl,
                    };
                    break;
                case "prefetch":
                    options = ParsePrefetch(sub, options);
                    break;
                case "serve_stale":
                    options = ParseServeStale(sub, options);
                    break;
                case "serve_stale_policy":
                    sub.ExpectArgCount(1, 1);
                    if (sub.Args[0].Text != "prefer_positive")
                    {
                        throw sub.Args[0].Error($"unknown serve_stale_policy '{sub.Args[0].Text}' (expected prefer_positive)");
                    }
                    options = options with { PreferPositive = true };
                    policy = sub;
                    break;
                case "servfail":
                    sub.ExpectArgCount(1, 1);
                    var servfail = sub.Args[0].ParseDuration();
                    if (servfail > TimeSpan.FromMinutes(5))
                    {
                        throw sub.Args[0].Error("servfail duration must be at most 5m");
                    }
                    options = options with { ServFailTtl = servfail };
                    break;
                case "disable":
                    sub.ExpectArgCount(1, int.MaxValue);
                    var disabled = ZoneArguments.OrBlock(sub.Args, 1, options.Zones);
                    options = sub.Args[0].Text switch
                    {
                        "success" => options with { DisableSuccess = [.. options.DisableSuccess, .. disabled] },
                        "denial" => options with { DisableDenial = [.. options.DisableDenial, .. disabled] },
                        var other => throw sub.Args[0].Error($"cannot disable '{other}' (expected success or denial)"),
                    };
                    break;
                case "keepttl":
                    sub.ExpectArgCount(0, 0);
                    options = options with { KeepTtl = true };
                    break;
                default:
                    throw directive.UnknownSubdirective(sub);
            }
        }
        if (policy is not null && options.ServeStale <= TimeSpan.Zero)
        {
            throw policy.Error("serve_stale_policy needs serve_stale in the same cache block");
        }
        return options;
    }

    /// <summary><c>serve_stale [DURATION] [immediate [TTL [RECHECK]] | verify [TIMEOUT [TTL [RECHECK]]]]</c>.</summary>
    private static CacheOptions ParseServeStale(Directive sub, CacheOptions options)
    {
        sub.ExpectArgCount(0, 5);
        var args = sub.Args;
        var stale = args.Count > 0 ? NonNegative(args[0], "serve_stale duration") : TimeSpan.FromHours(1);
        options = options with { ServeStale = stale };
        if (args.Count < 2)
        {
            return options;
        }
        bool verify = args[1].Text.ToLowerInvariant() switch
        {
            "verify" => true,
            "immediate" => false,
            var other => throw args[1].Error($"unknown serve_stale refresh mode '{other}' (expected verify or immediate)"),
        };
        int next = 2;
        if (verify && args.Count > next)
        {
            options = options with { VerifyTimeout = NonNegative(args[next++], "serve_stale verify timeout") };
        }
        if (args.Count > next)
        {
            options = options with { StaleTtl = (uint)NonNegative(args[next++], "serve_stale TTL").TotalSeconds };
        }
        if (args.Count > next)
        {
            options = options with { StaleRecheck = NonNegative(args[next++], "serve_stale recheck") };
        }
        if (args.Count > next)
        {
            throw args[next].Error($"unexpected argument '{args[next].Text}' after serve_stale {args[1].Text}");
        }
        return options with { ServeStaleVerify = verify };
    }

    private static TimeSpan NonNegative(Token token, string what)
    {
        var value = token.ParseDuration();
        if (value < TimeSpan.Zero)
        {
            throw token.Error($"{what} must not be negative");
        }
        return value;
    }

    private static CacheOptions ParsePrefetch(Directive sub, CacheOptions options)
    {
        sub.ExpectArgCount(1, 3);
        options = options with { PrefetchAmount = sub.Args[0].ParseInt(1) };
        for (int i = 1; i < sub.Args.Count; i++)
        {
            var token = sub.Args[i];
            if (token.Text.EndsWith('%'))
            {
                if (!int.TryParse(token.Text.AsSpan(0, token.Text.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out int percentage)
                    || percentage < 10 || percentage > 90)
                {
                    throw token.Error($"'{token.Text}' is not a percentage between 10% and 90%");
                }
                options = options with { PrefetchPercentage = percentage };
            }
            else if (i == 1)
            {
                var window = token.ParseDuration();
                if (window <= TimeSpan.Zero)
                {
                    throw token.Error("prefetch duration must be greater than 0");
                }
                options = options with { PrefetchWindow = window };
            }
            else
            {
                throw token.Error($"'{token.Text}' is not a percentage (e.g. 10%)");
            }
        }
        return options;
    }

    /// <summary>A TTL in seconds, as CoreDNS writes them (also accepts a duration such as 30s).</summary>
    private static TimeSpan Seconds(Token token) => token.ParseSeconds();
}
