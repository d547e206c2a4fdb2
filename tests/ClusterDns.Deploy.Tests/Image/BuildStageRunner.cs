using System.Text.RegularExpressions;
using ClusterDns.Testing.Processes;

namespace ClusterDns.Deploy.Tests.Image;

/// <summary>
/// Runs a Dockerfile build stage on this machine the way <c>docker build</c> would in the SDK image: ARG defaults,
/// WORKDIR, COPY from the build context (minus .dockerignore) and RUN, with the container's root mapped to a
/// temporary folder. Anything else in the stage is an error, so the stage cannot drift from what is exercised.
/// </summary>
internal sealed class BuildStageRunner
{
    private readonly string _context;
    private readonly string _root;
    private readonly List<Regex> _ignored;
    private readonly Dictionary<string, string> _args = new(StringComparer.Ordinal);
    private string _workingDirectory;

    public BuildStageRunner(string context, string root)
    {
        _context = context;
        _root = root;
        _workingDirectory = root;
        string ignoreFile = Path.Combine(context, ".dockerignore");
        _ignored = File.Exists(ignoreFile)
            ? File.ReadAllLines(ignoreFile).Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).Select(GlobToRegex).ToList()
            : [];
    }

    /// <summary>The container path <paramref name="path"/> on this machine.</summary>
    public string HostPath(string path) =>
        path.StartsWith('/') ? Path.Combine(_root, path.TrimStart('/')) : Path.Combine(_workingDirectory, path);

    public async Task RunAsync(Dockerfile.Stage stage)
    {
        foreach (var instruction in stage.Instructions)
        {
            switch (instruction.Keyword)
            {
                case "ARG":
                    var arg = instruction.Arguments.Split('=', 2);
                    _args[arg[0]] = arg.Length == 2 ? arg[1] : string.Empty;
                    break;
                case "WORKDIR":
                    _workingDirectory = HostPath(Expand(instruction.Arguments));
                    Directory.CreateDirectory(_workingDirectory);
                    break;
                case "COPY":
                    Copy(Expand(instruction.Arguments).Split(' ', StringSplitOptions.RemoveEmptyEntries));
                    break;
                case "RUN":
                    await RunCommandAsync(instruction);
                    break;
                default:
                    throw new NotSupportedException($"Dockerfile:{instruction.Line}: {instruction.Keyword} in the build stage is not run by the test; extend BuildStageRunner");
            }
        }
    }

    private void Copy(string[] arguments)
    {
        if (arguments.Any(a => a.StartsWith("--", StringComparison.Ordinal)))
        {
            throw new NotSupportedException($"COPY {string.Join(' ', arguments)}: options are not run by the test");
        }
        string destination = HostPath(arguments[^1]);
        bool intoDirectory = arguments[^1].EndsWith('/') || arguments.Length > 2;
        foreach (string source in arguments[..^1])
        {
            string from = Path.Combine(_context, source);
            if (Directory.Exists(from))
            {
                // As docker does: a folder's contents, not the folder itself.
                foreach (string file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
                {
                    string relative = Path.GetRelativePath(_context, file).Replace('\\', '/');
                    if (!IsIgnored(relative))
                    {
                        CopyFile(file, Path.Combine(destination, Path.GetRelativePath(from, file)));
                    }
                }
            }
            else if (File.Exists(from))
            {
                CopyFile(from, intoDirectory ? Path.Combine(destination, Path.GetFileName(from)) : destination);
            }
            else
            {
                throw new FileNotFoundException($"COPY source '{source}' is not in the build context", from);
            }
        }
    }

    private static void CopyFile(string from, string to)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(to)!);
        File.Copy(from, to, overwrite: true);
    }

    private async Task RunCommandAsync(Dockerfile.Instruction instruction)
    {
        // Absolute container paths (" /app") move under the temporary root.
        string command = Regex.Replace(Expand(instruction.Arguments), @"(?<=(^|\s|=))/(?=\w)", _root + "/");
        var result = await ProcessRunner.RunAsync("bash", ["-c", command], _workingDirectory, TimeSpan.FromMinutes(8));
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"Dockerfile:{instruction.Line}: RUN {command} failed: {result}");
        }
    }

    private string Expand(string text) =>
        Regex.Replace(text, @"\$\{(?<name>\w+)\}|\$(?<name>\w+)", m => _args.TryGetValue(m.Groups["name"].Value, out var value) ? value : m.Value);

    private bool IsIgnored(string relative) => _ignored.Any(r => r.IsMatch(relative));

    /// <summary>.dockerignore patterns: ** any folders, * within a name; a match also covers what is under it.</summary>
    private static Regex GlobToRegex(string pattern)
    {
        string body = Regex.Escape(pattern.TrimEnd('/').TrimStart('/'))
            .Replace(@"\*\*/", "(.*/)?", StringComparison.Ordinal)
            .Replace(@"\*", "[^/]*", StringComparison.Ordinal)
            .Replace(@"\?", "[^/]", StringComparison.Ordinal);
        return new Regex("^" + body + "(/.*)?$");
    }
}
