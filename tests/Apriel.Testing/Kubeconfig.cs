using System.Text;

namespace Apriel.Testing;

/// <summary>Writes self-contained kubeconfig files (certificates and keys embedded).</summary>
public static class Kubeconfig
{
    public static void WriteForClientCertificate(string path, string server, string caPem, PemFiles client) =>
        Write(path, server, caPem,
            $"    client-certificate-data: {Base64(File.ReadAllText(client.CertificatePath))}\n" +
            $"    client-key-data: {Base64(File.ReadAllText(client.KeyPath))}\n");

    public static void WriteForToken(string path, string server, string caPem, string token) =>
        Write(path, server, caPem, $"    token: {token}\n");

    private static void Write(string path, string server, string caPem, string user)
    {
        File.WriteAllText(path,
            "apiVersion: v1\n" +
            "kind: Config\n" +
            "clusters:\n" +
            "- name: test\n" +
            "  cluster:\n" +
            $"    server: {server}\n" +
            $"    certificate-authority-data: {Base64(caPem)}\n" +
            "users:\n" +
            "- name: user\n" +
            "  user:\n" +
            user +
            "contexts:\n" +
            "- name: test\n" +
            "  context:\n" +
            "    cluster: test\n" +
            "    user: user\n" +
            "current-context: test\n");
        // Holds credentials; helm warns about group/world-readable kubeconfigs.
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }

    private static string Base64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));
}
