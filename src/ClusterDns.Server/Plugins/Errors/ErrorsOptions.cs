using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;

namespace ClusterDns.Server.Plugins.Errors;

/// <summary>The <c>errors</c> directive: consolidation rules (and <c>stacktrace</c>, accepted for compatibility).</summary>
internal sealed record ErrorsOptions(IReadOnlyList<ConsolidationRule> Consolidate, bool StackTrace);

/// <summary>
/// <c>consolidate DURATION REGEXP [LEVEL] [show_first]</c>: errors whose message matches are counted instead of
/// logged, and one line per period reports how many there were; show_first logs the first of each period in full.
/// </summary>
internal sealed record ConsolidationRule(TimeSpan Period, Regex Pattern, LogLevel Level, bool ShowFirst = false);
