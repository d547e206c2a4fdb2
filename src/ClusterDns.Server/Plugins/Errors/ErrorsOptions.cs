using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;

namespace ClusterDns.Server.Plugins.Errors;

/// <summary>The <c>errors</c> directive: consolidation rules (and <c>stacktrace</c>, accepted for compatibility).</summary>
internal sealed record ErrorsOptions(IReadOnlyList<ConsolidationRule> Consolidate, bool StackTrace);

/// <summary>
/// <c>consolidate DURATION REGEXP [LEVEL]</c>: errors whose message matches are counted instead of logged, and
/// one line per period reports how many there were.
/// </summary>
internal sealed record ConsolidationRule(TimeSpan Period, Regex Pattern, LogLevel Level);
