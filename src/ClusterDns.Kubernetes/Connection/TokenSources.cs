using k8s.Authentication;
using k8s.KubeConfigModels;

namespace ClusterDns.Kubernetes.Connection;

/// <summary>
/// Makes the library's token providers. Each call gives a fresh provider, with nothing cached, so a token
/// the server has rejected is fetched anew (run the exec plugin again, re-read the file).
/// </summary>
internal static class TokenSources
{
    public static Func<ITokenProvider> Fixed(string token) => () => new StringTokenProvider(token, "Bearer");

    /// <summary>A rotating token file (bound service-account tokens): the library re-reads it every minute.</summary>
    public static Func<ITokenProvider> File(string path) => () => new TokenFileAuth(path);

    /// <summary>An exec credential plugin: the library runs it again when its token is near expiry.</summary>
    public static Func<ITokenProvider> Exec(ExternalExecution exec) => () => new ExecTokenProvider(exec);

    /// <summary>Reads a token file once, so a missing or empty file is an error at start-up rather than a 401 loop.</summary>
    public static bool TryCheckFile(string path, out string error)
    {
        try
        {
            var empty = System.IO.File.ReadAllText(path).Trim().Length == 0;
            error = empty ? $"token file {path} is empty" : "";
            return !empty;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            error = $"cannot read token file {path}: {ex.Message}";
            return false;
        }
    }
}
