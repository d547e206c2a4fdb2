namespace ClusterDns.Server.Plugins.Rewrite;

/// <summary>Question names as the lower-cased, fully qualified text rules match on ("foo.example.com.").</summary>
internal static class NameText
{
    /// <summary>Writes the wire name's labels joined by dots, with the final dot; the root is ".".</summary>
    public static int Format(ReadOnlySpan<byte> wire, Span<char> destination)
    {
        int written = 0;
        int position = 0;
        while (position < wire.Length && wire[position] != 0)
        {
            int length = wire[position++];
            for (int i = 0; i < length && written < destination.Length; i++)
            {
                destination[written++] = (char)wire[position + i];
            }
            position += length;
            if (written < destination.Length)
            {
                destination[written++] = '.';
            }
        }
        if (written == 0)
        {
            destination[written++] = '.';
        }
        return written;
    }

    public static string Qualify(string name) => name.EndsWith('.') ? name : name + ".";
}
