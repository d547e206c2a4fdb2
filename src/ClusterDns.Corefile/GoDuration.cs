using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace ClusterDns.Corefile;

/// <summary>Go's time.ParseDuration syntax ("5s", "1m30s", "500ms", "1.5h", "0"), non-negative only.</summary>
internal static class GoDuration
{
    public static bool TryParse(string text, out TimeSpan value, [NotNullWhen(false)] out string? error)
    {
        value = TimeSpan.Zero;
        error = null;
        if (text == "0")
        {
            return true;
        }

        if (text.Length == 0)
        {
            error = "empty duration";
            return false;
        }

        if (text[0] == '-')
        {
            error = $"duration '{text}' must not be negative";
            return false;
        }

        int i = text[0] == '+' ? 1 : 0;
        if (i == text.Length)
        {
            error = $"'{text}' is not a duration (expected e.g. 5s, 1m30s, 500ms)";
            return false;
        }

        decimal totalTicks = 0;
        while (i < text.Length)
        {
            int numberStart = i;
            while (i < text.Length && (char.IsAsciiDigit(text[i]) || text[i] == '.'))
            {
                i++;
            }

            int unitStart = i;
            while (i < text.Length && !char.IsAsciiDigit(text[i]) && text[i] != '.')
            {
                i++;
            }

            string number = text[numberStart..unitStart];
            string unit = text[unitStart..i];
            if (number.Length == 0 || number == "." || number.Count(c => c == '.') > 1
                || !decimal.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out decimal amount))
            {
                error = $"'{text}' is not a duration (expected e.g. 5s, 1m30s, 500ms)";
                return false;
            }

            if (unit.Length == 0)
            {
                error = $"duration '{text}' is missing a unit (ns, us, ms, s, m, h)";
                return false;
            }

            decimal? ticksPerUnit = unit switch
            {
                "ns" => 0.01m,
                "us" or "µs" or "μs" => 10m,
                "ms" => TimeSpan.TicksPerMillisecond,
                "s" => TimeSpan.TicksPerSecond,
                "m" => TimeSpan.TicksPerMinute,
                "h" => TimeSpan.TicksPerHour,
                _ => null,
            };
            if (ticksPerUnit is null)
            {
                error = $"duration '{text}' has unknown unit '{unit}' (ns, us, ms, s, m, h)";
                return false;
            }

            try
            {
                totalTicks += amount * ticksPerUnit.Value;
            }
            catch (OverflowException)
            {
                totalTicks = decimal.MaxValue;
            }

            if (totalTicks > TimeSpan.MaxValue.Ticks)
            {
                error = $"duration '{text}' is too large";
                return false;
            }
        }

        value = TimeSpan.FromTicks((long)decimal.Round(totalTicks, MidpointRounding.AwayFromZero));
        return true;
    }
}
