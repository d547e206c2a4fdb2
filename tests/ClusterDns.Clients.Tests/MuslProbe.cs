using ClusterDns.Testing.Processes;

namespace ClusterDns.Clients.Tests;

/// <summary>
/// testdata/musl-getaddrinfo.c built with musl-gcc (statically, so no Alpine image is needed) into a
/// temporary folder, once per test class.
/// </summary>
public sealed class MuslProbe : IAsyncLifetime
{
    private readonly string _directory = Directory.CreateTempSubdirectory("clusterdns-musl-").FullName;

    public string Path => System.IO.Path.Combine(_directory, "musl-getaddrinfo");

    public async Task InitializeAsync()
    {
        var source = System.IO.Path.Combine(AppContext.BaseDirectory, "testdata", "musl-getaddrinfo.c");
        var build = await ProcessRunner.RunAsync("musl-gcc", ["-static", "-O1", "-Wall", "-Werror", "-o", Path, source], timeout: TimeSpan.FromSeconds(60));
        if (build.ExitCode != 0)
        {
            throw new InvalidOperationException($"musl-gcc failed ({build.ExitCode}): {build.Output}{build.Error}");
        }
    }

    public Task DisposeAsync()
    {
        Directory.Delete(_directory, recursive: true);
        return Task.CompletedTask;
    }
}
