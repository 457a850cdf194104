using System.Runtime.InteropServices;
using Apriel.Artifacts;
using Apriel.Operator.Runtime;
using k8s;
using Serilog;
using Serilog.Formatting.Compact;

namespace Apriel.Operator;

/// <summary>The operator's entry point: configuration, JSON logs, the manager and its probe server, graceful shutdown.</summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        if (args is ["--help"] or ["-h"])
        {
            Console.WriteLine("apriel-operator: reconciles TrainingStage and ModelMerge resources into trainer Jobs.\n\nOptions (--name=value, or APRIEL_NAME in the environment):");
            foreach (var (name, help) in OperatorOptions.Help) Console.WriteLine($"  --{name,-16} {help}");
            return 0;
        }
        var (options, problems) = OperatorOptions.Parse(args, Environment.GetEnvironmentVariable);
        if (options == null)
        {
            foreach (var problem in problems) Console.Error.WriteLine("error: " + problem);
            return 2;
        }

        Log.Logger = new LoggerConfiguration().Enrich.FromLogContext().WriteTo.Console(new CompactJsonFormatter()).CreateLogger();
        using var stop = new CancellationTokenSource();
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Cancel(); });
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.Cancel(); });
        try
        {
            // $KUBECONFIG, then ~/.kube/config, then the in-cluster service account.
            var config = KubernetesClientConfiguration.BuildDefaultConfig();
            using var client = new Kubernetes(config, new RequestMetrics());
            using var store = ArtifactStores.Open(options.Settings.ArtifactRoot);
            var manager = OperatorHost.Build(client, store, options, Log.Logger);
            await using var probes = ProbeServer.Build(options.ProbeAddress, () => manager.Ready);
            await probes.StartAsync(stop.Token);
            Log.Information("Started; watching {Namespace}, artifacts in {Root}", options.WatchNamespace ?? "all namespaces", options.Settings.ArtifactRoot);
            var code = await manager.RunAsync(stop.Token);
            await probes.StopAsync(CancellationToken.None);
            return code;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Log.Fatal(e, "Stopped by an error");
            return 1;
        }
        finally
        {
            await Log.CloseAndFlushAsync();
        }
    }
}
