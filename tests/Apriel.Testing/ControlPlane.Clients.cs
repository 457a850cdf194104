using k8s;
using k8s.Models;

namespace Apriel.Testing;

public sealed partial class ControlPlane
{
    /// <summary>A client with admin rights, or with the credentials of <paramref name="kubeconfigPath"/>.</summary>
    public Kubernetes CreateClient(string? kubeconfigPath = null) =>
        new(KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfigPath ?? AdminKubeconfigPath));

    /// <summary>Creates a namespace with a unique name starting with <paramref name="prefix"/> and returns its name.</summary>
    public async Task<string> CreateNamespaceAsync(string prefix, CancellationToken cancellationToken = default)
    {
        var name = $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 9)];
        using var client = CreateClient();
        await client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = name } }, cancellationToken: cancellationToken);
        return name;
    }

    /// <summary>
    /// Installs the project's CRDs (<c>crds/</c>). kubectl checks a CRD against the server's own schema of CRDs,
    /// which before Kubernetes 1.25 lacks <c>x-kubernetes-validations</c> (CEL); such a server drops the rules,
    /// and the operator checks them in code, so validation is skipped here.
    /// </summary>
    public async Task InstallCrdsAsync()
    {
        var apply = await KubectlAsync("apply", "--validate=false", "-f", RepoPaths.Of("crds"));
        if (!apply.Succeeded) throw new InvalidOperationException("installing the CRDs failed: " + apply);
    }

    /// <summary>Runs /usr/bin/kubectl as admin against this control plane.</summary>
    public Task<CommandResult> KubectlAsync(params string[] arguments) => KubectlAsync(arguments, stdin: null);

    /// <summary>
    /// Runs /usr/bin/kubectl against this control plane, as admin unless
    /// <paramref name="kubeconfigPath"/> is given, with <paramref name="stdin"/> for "-f -".
    /// </summary>
    public Task<CommandResult> KubectlAsync(
        IEnumerable<string> arguments, string? stdin, string? kubeconfigPath = null, CancellationToken cancellationToken = default) =>
        Command.RunAsync(TestTools.Kubectl,
            [
                $"--kubeconfig={kubeconfigPath ?? AdminKubeconfigPath}",
                $"--cache-dir={directory.Combine("kubectl-cache")}", // not ~/.kube/cache
                .. arguments,
            ],
            stdin, cancellationToken);

    /// <summary>
    /// Writes a kubeconfig that authenticates as an existing ServiceAccount with a bearer token
    /// from the TokenRequest API, so tests can run code under a restricted role. Returns its path.
    /// </summary>
    public async Task<string> WriteKubeconfigForServiceAccountAsync(
        string @namespace, string serviceAccountName, CancellationToken cancellationToken = default)
    {
        using var client = CreateClient();
        var request = new Authenticationv1TokenRequest
        {
            Spec = new V1TokenRequestSpec
            {
                Audiences = [], // empty: the API server's own audience
                ExpirationSeconds = 24 * 3600,
            },
        };
        var response = await client.CoreV1.CreateNamespacedServiceAccountTokenAsync(
            request, serviceAccountName, @namespace, cancellationToken: cancellationToken);
        var path = directory.Combine($"sa-{@namespace}-{serviceAccountName}.kubeconfig");
        Kubeconfig.WriteForToken(path, Server, Certificates.CaPem, response.Status.Token);
        return path;
    }
}
