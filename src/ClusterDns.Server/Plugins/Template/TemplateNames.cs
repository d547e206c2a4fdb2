using ClusterDns.Protocol;

namespace ClusterDns.Server.Plugins.Template;

/// <summary>A wire name in presentation form (as miekg/dns prints it) into a caller's buffer, so a regex can run without a string.</summary>
internal static class TemplateNames
{
    public static int Format(ReadOnlySpan<byte> wire, Span<char> destination)
    {
        int length = 0;
        int position = 0;
        while (position < wire.Length && wire[position] != 0)
        {
            int labelLength = wire[position++];
            foreach (byte b in wire.Slice(position, labelLength))
            {
                if (b is (byte)'.' or (byte)'\\' or (byte)'"' or (byte)'(' or (byte)')' or (byte)';' or (byte)'@' or (byte)'$')
                {
                    destination[length++] = '\\';
                    destination[length++] = (char)b;
                }
                else if (b is < 0x21 or > 0x7E)
                {
                    destination[length++] = '\\';
                    destination[length++] = (char)('0' + b / 100);
                    destination[length++] = (char)('0' + b / 10 % 10);
                    destination[length++] = (char)('0' + b % 10);
                }
                else
                {
                    destination[length++] = (char)b;
                }
            }
            position += labelLength;
            destination[length++] = '.';
        }
        if (length == 0)
        {
            destination[length++] = '.';
        }
        return length;
    }
}
