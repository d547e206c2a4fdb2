using System.Runtime.CompilerServices;

// The deploy tests drive the migration command directly; ClusterDns.csproj lists the other test projects.
[assembly: InternalsVisibleTo("ClusterDns.Deploy.Tests")]
