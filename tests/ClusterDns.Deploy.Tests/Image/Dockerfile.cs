using System.Text.RegularExpressions;

namespace ClusterDns.Deploy.Tests.Image;

/// <summary>The repository's Dockerfile read into stages of instructions (continuation lines joined, comments dropped).</summary>
internal sealed record Dockerfile(IReadOnlyList<Dockerfile.Stage> Stages)
{
    public sealed record Instruction(string Keyword, string Arguments, int Line);

    public sealed record Stage(string Image, string? Name, IReadOnlyList<Instruction> Instructions)
    {
        public IEnumerable<Instruction> All(string keyword) => Instructions.Where(i => i.Keyword == keyword);
    }

    public static Dockerfile Load(string path)
    {
        var stages = new List<Stage>();
        List<Instruction>? current = null;
        string[] lines = File.ReadAllLines(path);
        for (int i = 0; i < lines.Length; i++)
        {
            int start = i + 1;
            string line = lines[i].Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }
            while (line.EndsWith('\\') && i + 1 < lines.Length)
            {
                line = line[..^1] + " " + lines[++i].Trim();
            }

            var match = Regex.Match(line, @"^(?<keyword>[A-Za-z]+)\s+(?<args>.*)$");
            if (!match.Success)
            {
                throw new InvalidDataException($"{path}:{start}: not an instruction: {line}");
            }
            string keyword = match.Groups["keyword"].Value.ToUpperInvariant();
            string arguments = match.Groups["args"].Value.Trim();
            if (keyword == "FROM")
            {
                var from = Regex.Match(arguments, @"^(?<image>\S+)(\s+AS\s+(?<name>\S+))?$", RegexOptions.IgnoreCase);
                current = [];
                stages.Add(new Stage(from.Groups["image"].Value, from.Groups["name"].Success ? from.Groups["name"].Value : null, current));
            }
            else if (current is null)
            {
                if (keyword != "ARG")
                {
                    throw new InvalidDataException($"{path}:{start}: {keyword} before FROM");
                }
            }
            else
            {
                current.Add(new Instruction(keyword, arguments, start));
            }
        }
        return new Dockerfile(stages);
    }
}
