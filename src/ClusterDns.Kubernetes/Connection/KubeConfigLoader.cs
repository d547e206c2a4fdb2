using System.Net;
using ClusterDns.Kubernetes.Connection;
using ClusterDns.Kubernetes.Connection.Oidc;
using k8s;
using k8s.Authentication;
using k8s.KubeConfigModels;
using YamlDotNet.Core;

namespace ClusterDns.Kubernetes;

/// <summary>
/// Reads a kubeconfig through the Kubernetes client library: the chosen (or current) context's cluster and
/// user, with every credential the library supports (exec plugins, tokens, client certificates), plus the
/// two fields its model drops (<see cref="KubeConfigExtras"/>). Problems come back as one message naming
/// the file; relative paths are relative to the kubeconfig's directory, as kubectl resolves them.
/// </summary>
public static class KubeConfigLoader
{
    public static bool TryLoad(string path, string? context, out KubernetesConnection? connection, out string? error)
    {
        connection = null;
        var prefix = $"kubeconfig {path}: ";
        if (!TryRead(path, out var config, out error) || !TryFind(config!, context, out var contextName, out var cluster, out var user, out error))
        {
            error = prefix + error;
            return false;
        }

        var extras = KubeConfigExtras.Read(path, cluster!.Name, user?.Name ?? "");
        Func<ITokenProvider>? tokens = null;
        if (user is not null && !TryPrepareUser(config!, user, extras, out tokens, out error))
        {
            error = prefix + $"user \"{user.Name}\" " + error;
            return false;
        }

        KubernetesClientConfiguration built;
        try
        {
            built = KubernetesClientConfiguration.BuildConfigFromConfigObject(config, contextName);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The library reports an exec plugin that fails, a bad CA and the like by exceptions.
            error = prefix + ex.Message;
            return false;
        }

        if (!TryOverrideCa(config!, cluster.ClusterEndpoint, built, out error) || !TryUseProxy(extras.ProxyUrl, built, out error))
        {
            error = prefix + error;
            return false;
        }

        if (tokens is null && user?.UserCredentials?.ExternalExecution is { } exec && built.TokenProvider is ExecTokenProvider) tokens = TokenSources.Exec(exec);
        if (tokens is null && !string.IsNullOrEmpty(built.AccessToken)) tokens = TokenSources.Fixed(built.AccessToken);
        if (!KubernetesConnection.TryCreate(built, $"kubeconfig {path} context {contextName}", tokens, out connection, out error))
        {
            error = prefix + error;
            return false;
        }

        return true;
    }

    private static bool TryRead(string path, out K8SConfiguration? config, out string? error)
    {
        config = null;
        error = null;
        try
        {
            config = KubernetesClientConfiguration.LoadKubeConfig(new FileInfo(path));
        }
        catch (NullReferenceException)
        {
            // The library's answer to a file with no YAML document in it.
            error = "not a kubeconfig (the file is empty)";
        }
        catch (YamlException ex)
        {
            error = $"not a valid kubeconfig (line {ex.Start.Line}): {ex.Message}";
        }
        catch (Exception ex) when (ex is k8s.Exceptions.KubeConfigException or IOException or UnauthorizedAccessException)
        {
            error = "cannot read: " + ex.Message;
        }

        if (error is null && config is null) error = "not a kubeconfig (the file is empty)";
        return error is null;
    }

    private static bool TryFind(K8SConfiguration config, string? context, out string contextName, out Cluster? cluster, out User? user, out string? error)
    {
        cluster = null;
        user = null;
        error = null;
        contextName = string.IsNullOrEmpty(context) ? config.CurrentContext ?? "" : context;
        if (contextName.Length == 0)
        {
            error = "no context given and no current-context set";
            return false;
        }

        var name = contextName;
        var details = config.Contexts?.FirstOrDefault(c => c.Name == name)?.ContextDetails;
        if (details is null)
        {
            error = $"context \"{contextName}\" not found";
            return false;
        }

        cluster = config.Clusters?.FirstOrDefault(c => c.Name == details.Cluster);
        if (cluster?.ClusterEndpoint is null)
        {
            error = $"cluster \"{details.Cluster}\" of context \"{contextName}\" not found";
            return false;
        }

        if (string.IsNullOrEmpty(details.User)) return true;
        user = config.Users?.FirstOrDefault(u => u.Name == details.User);
        if (user is null)
        {
            error = $"user \"{details.User}\" of context \"{contextName}\" not found";
            return false;
        }

        return true;
    }

    /// <summary>
    /// The credentials the library does not take as they are: basic auth (removed from Kubernetes) is refused;
    /// <c>tokenFile</c> and an oidc auth-provider are handed to it as a token so it finds a credential, and
    /// refreshed by our providers (an oidc user without a refresh-token and issuer URL keeps a static id-token).
    /// </summary>
    private static bool TryPrepareUser(K8SConfiguration config, User user, KubeConfigExtras extras, out Func<ITokenProvider>? tokens, out string? error)
    {
        tokens = null;
        error = null;
        var credentials = user.UserCredentials ??= new UserCredentials();
        if (!string.IsNullOrEmpty(credentials.UserName) || !string.IsNullOrEmpty(credentials.Password))
        {
            error = "uses basic authentication, which Kubernetes removed; use a token, client certificate or exec plugin";
            return false;
        }

        var hasCertificate = !string.IsNullOrEmpty(credentials.ClientCertificate) || !string.IsNullOrEmpty(credentials.ClientCertificateData);
        var hasKey = !string.IsNullOrEmpty(credentials.ClientKey) || !string.IsNullOrEmpty(credentials.ClientKeyData);
        if (hasCertificate != hasKey)
        {
            error = "has half a client certificate: a client certificate needs both a certificate and a key";
            return false;
        }

        if (string.IsNullOrEmpty(credentials.Token) && extras.TokenFile is { } tokenFile)
        {
            var resolved = Path.IsPathRooted(tokenFile) ? tokenFile : Path.Combine(Path.GetDirectoryName(config.FileName) ?? ".", tokenFile);
            if (!TokenSources.TryCheckFile(resolved, out error)) return false;
            credentials.Token = "(read from the token file)";
            tokens = TokenSources.File(resolved);
        }

        if (credentials.AuthProvider is { } provider && credentials.ExternalExecution is null)
        {
            if (provider.Name != "oidc")
            {
                error = $"uses auth-provider \"{provider.Name}\", which the Kubernetes client no longer supports; use its exec credential plugin (gke-gcloud-auth-plugin, kubelogin)";
                return false;
            }

            if (!OidcSettings.TryRead(provider.Config, out var oidc, out error)) return false;
            if (oidc is not null && tokens is null && string.IsNullOrEmpty(credentials.Token))
            {
                // Refreshed by us (the Aot library has no OIDC refresh); the library only needs to see a credential.
                credentials.Token = "(refreshed through the oidc issuer)";
                tokens = TokenSources.Oidc(oidc);
                return true;
            }

            if (provider.Config is null || !provider.Config.TryGetValue("id-token", out var idToken) || string.IsNullOrEmpty(idToken))
            {
                error = "uses auth-provider oidc without an id-token and without idp-issuer-url and refresh-token to get one; log in first, or use an exec plugin such as kubelogin";
                return false;
            }

            // Without a refresh token and issuer the id-token is sent until it expires, as client-go does.
            if (string.IsNullOrEmpty(credentials.Token)) credentials.Token = idToken;
        }

        return true;
    }

    /// <summary>Every certificate of the CA bundle, where the library keeps only the first.</summary>
    private static bool TryOverrideCa(K8SConfiguration config, ClusterEndpoint cluster, KubernetesClientConfiguration built, out string? error)
    {
        error = null;
        System.Security.Cryptography.X509Certificates.X509Certificate2Collection? ca = null;
        string caError;
        if (cluster.CertificateAuthorityData is { Length: > 0 } data)
        {
            if (!KubernetesConnection.TryDecodeCa(data, "certificate-authority-data", out ca))
            {
                error = "certificate-authority-data is not a base64 PEM certificate";
                return false;
            }
        }
        else if (cluster.CertificateAuthority is { Length: > 0 } file)
        {
            var resolved = Path.IsPathRooted(file) ? file : Path.Combine(Path.GetDirectoryName(config.FileName) ?? ".", file);
            if (!KubernetesConnection.TryLoadCaFile(resolved, out ca, out caError))
            {
                error = caError;
                return false;
            }
        }

        if (ca is not null) built.SslCaCerts = ca;
        return true;
    }

    /// <summary>The cluster's <c>proxy-url</c> (http, https or socks5), as kubectl uses it; HTTPS_PROXY applies otherwise.</summary>
    private static bool TryUseProxy(string? proxyUrl, KubernetesClientConfiguration built, out string? error)
    {
        error = null;
        if (proxyUrl is null) return true;
        if (!Uri.TryCreate(proxyUrl, UriKind.Absolute, out var proxy) || proxy.Scheme is not ("http" or "https" or "socks5"))
        {
            error = $"proxy-url \"{proxyUrl}\" is not an http, https or socks5 URL";
            return false;
        }

        built.FirstMessageHandlerSetup = sockets =>
        {
            sockets.Proxy = new WebProxy(proxy);
            sockets.UseProxy = true;
        };
        return true;
    }
}
