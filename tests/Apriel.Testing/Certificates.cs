using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Apriel.Testing;

/// <summary>A certificate and its private key as PEM files.</summary>
public sealed record PemFiles(string CertificatePath, string KeyPath);

/// <summary>
/// The PKI of a test control plane, generated in-process (no openssl): a CA, the API server's
/// serving certificate, client certificates, and the service-account signing key pair.
/// </summary>
public sealed class Certificates
{
    private static readonly DateTimeOffset NotBefore = DateTimeOffset.UtcNow.AddHours(-1); // clock skew
    private static readonly DateTimeOffset NotAfter = DateTimeOffset.UtcNow.AddDays(7);

    private readonly string directory;
    private readonly X509Certificate2 ca;

    private Certificates(string directory, X509Certificate2 ca, PemFiles caFiles)
    {
        this.directory = directory;
        this.ca = ca;
        Ca = caFiles;
    }

    public PemFiles Ca { get; }

    public PemFiles ApiServer { get; private set; } = null!;

    /// <summary>CN=admin, O=system:masters: full access through RBAC's bootstrap binding.</summary>
    public PemFiles Admin { get; private set; } = null!;

    /// <summary>RSA key the controller-manager signs service-account tokens with.</summary>
    public string ServiceAccountPrivateKeyPath { get; private set; } = null!;

    /// <summary>Its public half, which the API server verifies tokens with.</summary>
    public string ServiceAccountPublicKeyPath { get; private set; } = null!;

    public string CaPem => File.ReadAllText(Ca.CertificatePath);

    /// <summary>Generates everything into <paramref name="directory"/>.</summary>
    public static Certificates Generate(string directory)
    {
        Directory.CreateDirectory(directory);
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=apriel-test-ca", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(
            X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign | X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var ca = request.CreateSelfSigned(NotBefore, NotAfter);
        var certificates = new Certificates(directory, ca, Write(directory, "ca", ca, key));

        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        san.AddIpAddress(IPAddress.Parse(ControlPlane.KubernetesServiceIp));
        foreach (var dns in new[] { "localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc", "kubernetes.default.svc.cluster.local" })
        {
            san.AddDnsName(dns);
        }
        certificates.ApiServer = certificates.Issue("apiserver", "CN=kube-apiserver", serverAuth: true, san.Build());
        certificates.Admin = certificates.IssueClient("admin", "admin", "system:masters");

        using var serviceAccountKey = RSA.Create(2048);
        certificates.ServiceAccountPrivateKeyPath = Path.Combine(directory, "sa.key");
        certificates.ServiceAccountPublicKeyPath = Path.Combine(directory, "sa.pub");
        File.WriteAllText(certificates.ServiceAccountPrivateKeyPath, serviceAccountKey.ExportPkcs8PrivateKeyPem());
        File.WriteAllText(certificates.ServiceAccountPublicKeyPath, serviceAccountKey.ExportSubjectPublicKeyInfoPem());
        return certificates;
    }

    /// <summary>A client certificate: Kubernetes reads the user from CN and groups from O.</summary>
    public PemFiles IssueClient(string fileName, string user, params string[] groups)
    {
        var subject = string.Join(", ", groups.Select(g => $"O={g}").Prepend($"CN={user}"));
        return Issue(fileName, subject, serverAuth: false, subjectAlternativeNames: null);
    }

    private PemFiles Issue(string fileName, string subject, bool serverAuth, X509Extension? subjectAlternativeNames)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(
            X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        var usage = serverAuth ? "1.3.6.1.5.5.7.3.1" : "1.3.6.1.5.5.7.3.2";
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(usage)], false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, true, false));
        if (subjectAlternativeNames is not null)
        {
            request.CertificateExtensions.Add(subjectAlternativeNames);
        }
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7f; // positive
        using var certificate = request.Create(ca, NotBefore, NotAfter, serial);
        return Write(directory, fileName, certificate, key);
    }

    private static PemFiles Write(string directory, string name, X509Certificate2 certificate, RSA key)
    {
        var files = new PemFiles(Path.Combine(directory, $"{name}.crt"), Path.Combine(directory, $"{name}.key"));
        File.WriteAllText(files.CertificatePath, certificate.ExportCertificatePem());
        File.WriteAllText(files.KeyPath, key.ExportPkcs8PrivateKeyPem());
        return files;
    }
}
