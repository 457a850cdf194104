using k8s;
using k8s.Models;

namespace Apriel.Testing;

/// <summary>
/// How a pod's single container runs as a local process: its program (the container command's first word,
/// mapped to a local command), arguments and environment, with every volume mount path rewritten to a local
/// directory holding that volume (ConfigMap and Secret files, emptyDirs). What a container runtime would isolate
/// (root filesystem, users, capabilities, resource limits) is not enforced here.
/// </summary>
public sealed record PodLaunch(string FileName, IReadOnlyList<string> Arguments, IReadOnlyDictionary<string, string> Environment)
{
    /// <summary>
    /// Prepares <paramref name="pod"/> under <paramref name="directory"/>: volumes written, env resolved. Throws
    /// <see cref="NotSupportedException"/> with the reason when the pod cannot run here.
    /// </summary>
    public static async Task<PodLaunch> PrepareAsync(V1Pod pod, IKubernetes client, IReadOnlyDictionary<string, string[]> programs,
        string directory, Func<string, string, Task<string>> serviceAccountKubeconfig, CancellationToken cancellationToken)
    {
        var container = pod.Spec.Containers.Count == 1 ? pod.Spec.Containers[0]
            : throw new NotSupportedException($"{pod.Spec.Containers.Count} containers; the test agent runs exactly one");
        var ns = pod.Metadata.NamespaceProperty;
        var command = (container.Command ?? []).Concat(container.Args ?? []).ToList();
        if (command.Count == 0 || !programs.TryGetValue(command[0], out var program))
            throw new NotSupportedException($"command \"{command.FirstOrDefault()}\" is none of the programs this agent runs ({string.Join(", ", programs.Keys)})");

        var volumes = new Dictionary<string, string>();
        foreach (var volume in pod.Spec.Volumes ?? [])
            volumes[volume.Name] = await WriteVolumeAsync(volume, ns, client, Path.Combine(directory, "volumes", volume.Name), cancellationToken);
        // Longest mount path first, so /a/b wins over /a.
        var mounts = (container.VolumeMounts ?? []).Select(m => (m.MountPath.TrimEnd('/'), volumes[m.Name])).OrderByDescending(m => m.Item1.Length).ToList();
        string Local(string value)
        {
            foreach (var (mountPath, local) in mounts)
                if (value == mountPath || value.StartsWith(mountPath + "/", StringComparison.Ordinal)) return local + value[mountPath.Length..];
            return value;
        }

        var env = new Dictionary<string, string>();
        foreach (var variable in container.Env ?? [])
            env[variable.Name] = Local(variable.Value ?? await ValueFromAsync(variable, pod, client, cancellationToken));
        if (pod.Spec.AutomountServiceAccountToken != false && pod.Spec.ServiceAccountName is { } serviceAccount)
            env["KUBECONFIG"] = await serviceAccountKubeconfig(ns, serviceAccount); // what the token mount gives a real pod
        return new PodLaunch(program[0], [.. program.Skip(1), .. command.Skip(1).Select(Local)], env);
    }

    static async Task<string> WriteVolumeAsync(V1Volume volume, string ns, IKubernetes client, string path, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(path);
        IDictionary<string, byte[]>? files = null;
        if (volume.ConfigMap is { } configMap)
            files = (await client.CoreV1.ReadNamespacedConfigMapAsync(configMap.Name, ns, cancellationToken: cancellationToken)).Data?
                .ToDictionary(kv => kv.Key, kv => System.Text.Encoding.UTF8.GetBytes(kv.Value));
        else if (volume.Secret is { } secret)
            files = (await client.CoreV1.ReadNamespacedSecretAsync(secret.SecretName, ns, cancellationToken: cancellationToken)).Data;
        else if (volume.EmptyDir == null)
            throw new NotSupportedException($"volume {volume.Name}: only configMap, secret and emptyDir volumes run here");
        foreach (var (name, bytes) in files ?? new Dictionary<string, byte[]>())
            await File.WriteAllBytesAsync(Path.Combine(path, name), bytes, cancellationToken);
        return path;
    }

    static async Task<string> ValueFromAsync(V1EnvVar variable, V1Pod pod, IKubernetes client, CancellationToken cancellationToken)
    {
        var ns = pod.Metadata.NamespaceProperty;
        var from = variable.ValueFrom;
        if (from?.SecretKeyRef is { } secretKey)
        {
            var secret = await client.CoreV1.ReadNamespacedSecretAsync(secretKey.Name, ns, cancellationToken: cancellationToken);
            return secret.Data?.TryGetValue(secretKey.Key, out var bytes) == true ? System.Text.Encoding.UTF8.GetString(bytes)
                : throw new NotSupportedException($"env {variable.Name}: Secret {secretKey.Name} has no key {secretKey.Key}");
        }
        if (from?.ConfigMapKeyRef is { } configMapKey)
        {
            var configMap = await client.CoreV1.ReadNamespacedConfigMapAsync(configMapKey.Name, ns, cancellationToken: cancellationToken);
            return configMap.Data?.TryGetValue(configMapKey.Key, out var value) == true ? value
                : throw new NotSupportedException($"env {variable.Name}: ConfigMap {configMapKey.Name} has no key {configMapKey.Key}");
        }
        return from?.FieldRef?.FieldPath switch
        {
            "metadata.name" => pod.Metadata.Name,
            "metadata.namespace" => ns,
            "spec.nodeName" => pod.Spec.NodeName,
            "status.podIP" => "127.0.0.1",
            _ => variable.ValueFrom == null ? "" : throw new NotSupportedException($"env {variable.Name}: unsupported valueFrom"),
        };
    }
}
