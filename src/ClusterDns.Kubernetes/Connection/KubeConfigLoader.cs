using System.Text;
using ClusterDns.Kubernetes.Connection;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace ClusterDns.Kubernetes;

/// <summary>
/// Reads a kubeconfig file: the chosen (or current) context's cluster and user. Supported credentials:
/// token, tokenFile, client certificate and key (files or -data); CA file or -data; insecure-skip-tls-verify;
/// tls-server-name. exec and auth-provider plugins are refused with a clear error. Relative paths are
/// resolved against the kubeconfig's directory, as kubectl does.
/// </summary>
public static class KubeConfigLoader
{
    public static bool TryLoad(string path, string? context, out KubernetesConnection? connection, out string? error)
    {
        connection = null;
        var prefix = $"kubeconfig {path}: ";
        YamlMappingNode root;
        try
        {
            var stream = new YamlStream();
            using (var reader = new StreamReader(path)) stream.Load(reader);
            if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode mapping)
            {
                error = prefix + "not a kubeconfig (expected a YAML mapping)";
                return false;
            }

            root = mapping;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            error = prefix + "cannot read: " + ex.Message;
            return false;
        }
        catch (YamlException ex)
        {
            error = prefix + $"invalid YAML at line {ex.Start.Line}: {ex.Message}";
            return false;
        }

        var contextName = string.IsNullOrEmpty(context) ? Scalar(root, "current-context") : context;
        if (string.IsNullOrEmpty(contextName))
        {
            error = prefix + "no context given and no current-context set";
            return false;
        }

        if (FindNamed(root, "contexts", "context", contextName) is not { } ctx)
        {
            error = prefix + $"context \"{contextName}\" not found";
            return false;
        }

        var clusterName = Scalar(ctx, "cluster");
        if (clusterName is null || FindNamed(root, "clusters", "cluster", clusterName) is not { } cluster)
        {
            error = prefix + $"cluster \"{clusterName}\" of context \"{contextName}\" not found";
            return false;
        }

        var userName = Scalar(ctx, "user");
        YamlMappingNode? user = null;
        if (!string.IsNullOrEmpty(userName) && (user = FindNamed(root, "users", "user", userName)) is null)
        {
            error = prefix + $"user \"{userName}\" of context \"{contextName}\" not found";
            return false;
        }

        var baseDirectory = Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".";
        return TryBuild(prefix, baseDirectory, $"kubeconfig {path} context {contextName}", cluster, userName, user, out connection, out error);
    }

    private static bool TryBuild(string prefix, string baseDirectory, string description, YamlMappingNode cluster, string? userName,
        YamlMappingNode? user, out KubernetesConnection? connection, out string? error)
    {
        connection = null;
        var serverText = Scalar(cluster, "server");
        if (!Uri.TryCreate(serverText, UriKind.Absolute, out var server) || server.Scheme is not ("http" or "https"))
        {
            error = prefix + $"cluster server \"{serverText}\" is not an http or https URL";
            return false;
        }

        System.Security.Cryptography.X509Certificates.X509Certificate2Collection? ca = null;
        string caError;
        if (Scalar(cluster, "certificate-authority-data") is { Length: > 0 } caData)
        {
            if (!TryDecode(caData, out var caPem) || !KubernetesConnection.TryParseCa(caPem, "certificate-authority-data", out ca, out caError))
            {
                error = prefix + "certificate-authority-data is not a base64 PEM certificate";
                return false;
            }
        }
        else if (Scalar(cluster, "certificate-authority") is { Length: > 0 } caFile
            && !KubernetesConnection.TryLoadCaFile(Resolve(baseDirectory, caFile), out ca, out caError))
        {
            error = prefix + caError;
            return false;
        }

        var insecure = Scalar(cluster, "insecure-skip-tls-verify") is { } skip && bool.TryParse(skip, out var b) && b;
        BearerTokenSource? token = null;
        System.Security.Cryptography.X509Certificates.X509Certificate2? clientCertificate = null;
        if (user is not null)
        {
            foreach (var unsupported in (string[])["exec", "auth-provider"])
            {
                if (user.Children.ContainsKey(unsupported))
                {
                    var what = unsupported == "exec" ? "exec credentials" : "an auth-provider";
                    error = prefix + $"user \"{userName}\" uses {what}, which ClusterDns does not support; use a token or client certificate";
                    return false;
                }
            }

            if (user.Children.ContainsKey("username") || user.Children.ContainsKey("password"))
            {
                error = prefix + $"user \"{userName}\" uses basic authentication, which ClusterDns does not support; use a token or client certificate";
                return false;
            }

            if (Scalar(user, "token") is { Length: > 0 } fixedToken)
            {
                token = BearerTokenSource.Fixed(fixedToken);
            }
            else if (Scalar(user, "tokenFile") is { Length: > 0 } tokenFile)
            {
                token = BearerTokenSource.FromFile(Resolve(baseDirectory, tokenFile));
                if (!token.TryReadNow(out var tokenError))
                {
                    error = prefix + tokenError;
                    return false;
                }
            }

            if (!TryReadClientCertificate(prefix, baseDirectory, user, out clientCertificate, out error)) return false;
        }

        connection = new KubernetesConnection(server, description)
        {
            TrustedCa = ca,
            InsecureSkipTlsVerify = insecure,
            TlsServerName = Scalar(cluster, "tls-server-name"),
            Token = token,
            ClientCertificate = clientCertificate,
        };
        error = null;
        return true;
    }

    private static bool TryReadClientCertificate(string prefix, string baseDirectory, YamlMappingNode user,
        out System.Security.Cryptography.X509Certificates.X509Certificate2? certificate, out string? error)
    {
        certificate = null;
        error = null;
        string? certPem = null, keyPem = null;
        if (Scalar(user, "client-certificate-data") is { Length: > 0 } certData && !TryDecode(certData, out certPem))
        {
            error = prefix + "client-certificate-data is not base64";
            return false;
        }

        if (Scalar(user, "client-key-data") is { Length: > 0 } keyData && !TryDecode(keyData, out keyPem))
        {
            error = prefix + "client-key-data is not base64";
            return false;
        }

        try
        {
            if (certPem is null && Scalar(user, "client-certificate") is { Length: > 0 } certFile) certPem = File.ReadAllText(Resolve(baseDirectory, certFile));
            if (keyPem is null && Scalar(user, "client-key") is { Length: > 0 } keyFile) keyPem = File.ReadAllText(Resolve(baseDirectory, keyFile));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            error = prefix + "cannot read client certificate: " + ex.Message;
            return false;
        }

        if (certPem is null && keyPem is null) return true;
        if (certPem is null || keyPem is null)
        {
            error = prefix + "a client certificate needs both a certificate and a key";
            return false;
        }

        if (!KubernetesConnection.TryParseClientCertificate(certPem, keyPem, "client certificate", out certificate, out var parseError))
        {
            error = prefix + parseError;
            return false;
        }

        return true;
    }

    private static YamlMappingNode? FindNamed(YamlMappingNode root, string listName, string innerName, string name)
    {
        if (!root.Children.TryGetValue(listName, out var list) || list is not YamlSequenceNode sequence) return null;
        foreach (var item in sequence)
        {
            if (item is YamlMappingNode entry && Scalar(entry, "name") == name
                && entry.Children.TryGetValue(innerName, out var inner) && inner is YamlMappingNode mapping)
            {
                return mapping;
            }
        }

        return null;
    }

    private static string? Scalar(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(key, out var value) && value is YamlScalarNode scalar ? scalar.Value : null;

    private static string Resolve(string baseDirectory, string path) => Path.IsPathRooted(path) ? path : Path.Combine(baseDirectory, path);

    private static bool TryDecode(string base64, out string text)
    {
        var buffer = new byte[base64.Length];
        if (Convert.TryFromBase64String(base64.Trim(), buffer, out var written))
        {
            text = Encoding.UTF8.GetString(buffer, 0, written);
            return true;
        }

        text = "";
        return false;
    }
}
