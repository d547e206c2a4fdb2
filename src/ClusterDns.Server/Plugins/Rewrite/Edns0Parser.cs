using System.Globalization;
using System.Text;
using ClusterDns.Corefile;
using ClusterDns.Protocol;

namespace ClusterDns.Server.Plugins.Rewrite;

/// <summary>
/// Parses <c>edns0 local ACTION CODE DATA [revert]</c>, <c>edns0 local unset CODE</c>, <c>edns0 nsid ACTION [revert]</c>
/// and <c>edns0 subnet ACTION V4BITS V6BITS [revert]</c> (<c>edns0 subnet unset</c>), as CoreDNS 1.14.
/// </summary>
internal static class Edns0Parser
{
    private const string Usage = "'rewrite edns0' takes local|nsid|subnet set|append|replace|unset …";

    public static RewriteRule Parse(Directive directive, List<Token> args, bool continues, string origin)
    {
        if (args.Count < 3)
        {
            throw directive.Error(Usage);
        }
        var kind = args[1].Text.ToLowerInvariant() switch
        {
            "local" => Edns0Kind.Local,
            "nsid" => Edns0Kind.Nsid,
            "subnet" => Edns0Kind.Subnet,
            _ => throw args[1].Error($"'rewrite edns0': unknown option type '{args[1].Text}' (expected local, nsid or subnet)"),
        };
        var action = args[2].Text.ToLowerInvariant() switch
        {
            "set" => Edns0Action.Set,
            "append" => Edns0Action.Append,
            "replace" => Edns0Action.Replace,
            "unset" => Edns0Action.Unset,
            _ => throw args[2].Error($"'rewrite edns0': invalid action '{args[2].Text}' (expected set, append, replace or unset)"),
        };
        // A trailing 'revert' (CoreDNS 1.12+) is accepted on every form; see Edns0Rule.Revert.
        int count = args.Count;
        bool revert = count > 3 && args[^1].Text.Equals("revert", StringComparison.OrdinalIgnoreCase);
        if (revert)
        {
            count--;
        }
        var rule = kind switch
        {
            Edns0Kind.Local => Local(directive, args, count, action, revert),
            Edns0Kind.Nsid => Nsid(directive, count, action, revert),
            _ => Subnet(directive, args, count, action, revert),
        };
        return new RewriteRule { Field = RewriteField.Edns0, Continue = continues, Edns0 = rule, Origin = origin };
    }

    private static Edns0Rule Local(Directive directive, List<Token> args, int count, Edns0Action action, bool revert)
    {
        if (action == Edns0Action.Unset)
        {
            if (count != 4)
            {
                throw directive.Error("'rewrite edns0 local unset' takes exactly one argument: CODE");
            }
            return new Edns0Rule { Kind = Edns0Kind.Local, Action = action, Code = Code(args[3]), Revert = revert };
        }
        if (count != 5)
        {
            throw directive.Error("'rewrite edns0 local' takes exactly two arguments: CODE DATA");
        }
        var code = Code(args[3]);
        var data = args[4];
        if (data.Text.StartsWith('{') && data.Text.EndsWith('}'))
        {
            return new Edns0Rule { Kind = Edns0Kind.Local, Action = action, Code = code, Variable = Variable(data), Revert = revert };
        }
        byte[] bytes;
        if (data.Text.StartsWith("0x", StringComparison.Ordinal))
        {
            try
            {
                bytes = Convert.FromHexString(data.Text.AsSpan(2));
            }
            catch (FormatException)
            {
                throw data.Error($"'rewrite edns0 local': '{data.Text}' is not hex data");
            }
        }
        else
        {
            bytes = Encoding.UTF8.GetBytes(data.Text);
        }
        if (bytes.Length > ushort.MaxValue - 4)
        {
            throw data.Error("'rewrite edns0 local': data longer than an EDNS option can hold");
        }
        return new Edns0Rule { Kind = Edns0Kind.Local, Action = action, Code = code, Data = bytes, Revert = revert };
    }

    private static Edns0Rule Nsid(Directive directive, int count, Edns0Action action, bool revert)
    {
        if (count != 3)
        {
            throw directive.Error("'rewrite edns0 nsid' takes no arguments (only 'revert')");
        }
        return new Edns0Rule { Kind = Edns0Kind.Nsid, Action = action, Code = EdnsOption.Nsid, Revert = revert };
    }

    private static Edns0Rule Subnet(Directive directive, List<Token> args, int count, Edns0Action action, bool revert)
    {
        if (action == Edns0Action.Unset)
        {
            if (count != 3)
            {
                throw directive.Error("'rewrite edns0 subnet unset' takes no arguments");
            }
            return new Edns0Rule { Kind = Edns0Kind.Subnet, Action = action, Code = EdnsOption.ClientSubnet, Revert = revert };
        }
        if (count != 5)
        {
            throw directive.Error("'rewrite edns0 subnet' takes exactly two arguments: IPV4BITS IPV6BITS");
        }
        return new Edns0Rule
        {
            Kind = Edns0Kind.Subnet, Action = action, Code = EdnsOption.ClientSubnet, Revert = revert,
            V4Bits = Bits(args[3], 32, "IPv4"), V6Bits = Bits(args[4], 128, "IPv6"),
        };
    }

    private static byte Bits(Token token, int max, string family)
    {
        if (!TryGoUint(token.Text, out ulong value) || value > (ulong)max)
        {
            throw token.Error($"'rewrite edns0 subnet': invalid {family} bit mask length '{token.Text}' (0-{max})");
        }
        return (byte)value;
    }

    private static ushort Code(Token token)
    {
        if (!TryGoUint(token.Text, out ulong value) || value > ushort.MaxValue)
        {
            throw token.Error($"'rewrite edns0 local': '{token.Text}' is not an option code (0-65535, decimal or 0x hex)");
        }
        return (ushort)value;
    }

    private static Edns0Variable Variable(Token token) => token.Text switch
    {
        "{qname}" => Edns0Variable.QueryName,
        "{qtype}" => Edns0Variable.QueryType,
        "{client_ip}" => Edns0Variable.ClientIp,
        "{client_port}" => Edns0Variable.ClientPort,
        "{protocol}" => Edns0Variable.Protocol,
        "{server_port}" => Edns0Variable.ServerPort,
        "{server_ip}" => throw token.Error(
            "'rewrite edns0 local': {server_ip} is not supported by ClusterDns (a UDP listener bound to a wildcard address does not learn which local address a query arrived on)"),
        _ => throw token.Error(
            $"'rewrite edns0 local': unsupported variable '{token.Text}' (supported: {{qname}}, {{qtype}}, {{client_ip}}, {{client_port}}, {{protocol}}, {{server_port}}; metadata labels are not supported yet)"),
    };

    /// <summary>Go's strconv.ParseUint with base 0: 0x hex, 0o or leading-0 octal, 0b binary, else decimal.</summary>
    private static bool TryGoUint(string text, out ulong value)
    {
        value = 0;
        var digits = text.Replace("_", string.Empty, StringComparison.Ordinal);
        int radix = 10;
        if (digits.Length > 1 && digits[0] == '0')
        {
            (radix, digits) = char.ToLowerInvariant(digits[1]) switch
            {
                'x' => (16, digits[2..]),
                'o' => (8, digits[2..]),
                'b' => (2, digits[2..]),
                _ => (8, digits[1..]),
            };
        }
        if (digits.Length == 0 || digits.Length > 20)
        {
            return false;
        }
        foreach (char c in digits)
        {
            int digit = c is >= '0' and <= '9' ? c - '0' : char.ToLowerInvariant(c) is >= 'a' and <= 'f' ? char.ToLowerInvariant(c) - 'a' + 10 : 99;
            if (digit >= radix)
            {
                return false;
            }
            if (value > (ulong.MaxValue - (ulong)digit) / (ulong)radix)
            {
                return false;
            }
            value = value * (ulong)radix + (ulong)digit;
        }
        return true;
    }
}
