namespace ClusterDns.Protocol;

/// <summary>The record sections of a message.</summary>
public enum MessageSection : byte
{
    Answer,
    Authority,
    Additional,
}
