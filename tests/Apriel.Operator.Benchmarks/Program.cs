using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Apriel.Api.V1Alpha1;
using Apriel.Testing;
using k8s;
using k8s.Models;

// Applies N TrainingStages at once to a real control plane and an operator process, for N in the arguments
// (default 100 250 500), and reports: time until every Job exists, API requests per reconcile, reconciles per
// stage, and the operator's peak RSS. Each N gets a fresh namespace and a fresh operator.
var sizes = args.Length > 0 ? args.Select(a => int.Parse(a, CultureInfo.InvariantCulture)).ToArray() : [100, 250, 500];
await using var cluster = await ControlPlane.StartAsync();
await cluster.InstallCrdsAsync();
using var client = cluster.CreateClient();
var template = KubernetesYaml.Deserialize<TrainingStage>(File.ReadAllText(RepoPaths.Of("examples/tiny/00-base.yaml")));

Console.WriteLine("stages  jobs-ready  per-stage  requests  requests/reconcile  reconciles/stage  peak-RSS");
double? firstPerStage = null;
foreach (var n in sizes)
{
    var ns = await cluster.CreateNamespaceAsync("scale");
    using var work = TestDirectory.Create("bench-operator");
    var port = FreePort.Next();
    using var op = ChildProcess.Start("apriel-operator", "dotnet",
        [Path.Combine(AppContext.BaseDirectory, "apriel-operator.dll"), $"--namespace={ns}", "--leader-elect=false", $"--probe-address=http://127.0.0.1:{port}"],
        work.Combine("operator.log"),
        new Dictionary<string, string>
        {
            ["KUBECONFIG"] = cluster.AdminKubeconfigPath,
            ["APRIEL_TRAINER_IMAGE"] = "apriel/trainer:bench",
            ["APRIEL_ARTIFACT_ROOT"] = new Uri(work.Subdirectory("store") + "/").AbsoluteUri,
            ["APRIEL_S3_SECRET"] = "apriel-s3",
        });
    using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
    await Poll.UntilAsync("the operator to be ready", async ct => (await http.GetAsync("/readyz", ct)).IsSuccessStatusCode, TimeSpan.FromMinutes(1), watched: op);
    var before = Scrape(await http.GetStringAsync("/metrics"));

    var clock = Stopwatch.StartNew();
    await Parallel.ForEachAsync(Enumerable.Range(0, n), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, ct) =>
    {
        var stage = KubernetesYaml.Deserialize<TrainingStage>(KubernetesYaml.Serialize(template));
        stage.Metadata = new V1ObjectMeta { Name = $"stage-{i:D4}" };
        await client.CustomObjects.CreateNamespacedCustomObjectAsync(stage, ApiGroup.Group, ApiGroup.Version, ns, "trainingstages", cancellationToken: ct);
    });
    await Poll.UntilAsync($"{n} Jobs", async ct => (await client.BatchV1.ListNamespacedJobAsync(ns, cancellationToken: ct)).Items.Count >= n,
        TimeSpan.FromMinutes(15), watched: op);
    var elapsed = clock.Elapsed;
    await Task.Delay(TimeSpan.FromSeconds(5)); // let the status writes of the last Jobs land
    var after = Scrape(await http.GetStringAsync("/metrics"));
    var requests = after.Requests - before.Requests;
    var reconciles = after.Reconciles - before.Reconciles;
    var perStage = elapsed.TotalMilliseconds / n;
    firstPerStage ??= perStage;
    Console.WriteLine($"{n,6}  {elapsed.TotalSeconds,9:0.0}s  {perStage,7:0.0}ms  {requests,8:0}  {requests / Math.Max(1, reconciles),18:0.00}  {reconciles / n,16:0.00}  {PeakRssMiB(op.Id),6:0} MiB" +
                      $"   (per-stage time ×{perStage / firstPerStage:0.00} of the first size)");
    await op.TerminateAsync(TimeSpan.FromSeconds(30));
    await client.CoreV1.DeleteNamespaceAsync(ns);
}

static (double Requests, double Reconciles) Scrape(string metrics) =>
    (Sum(metrics, "rest_client_requests_total"), Sum(metrics, "controller_runtime_reconcile_total"));

static double Sum(string metrics, string name) =>
    Regex.Matches(metrics, $@"^{name}\{{[^}}]*\}} (\S+)$", RegexOptions.Multiline).Sum(m => double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture));

static double PeakRssMiB(int pid) =>
    File.ReadLines($"/proc/{pid}/status").Where(l => l.StartsWith("VmHWM:", StringComparison.Ordinal))
        .Select(l => double.Parse(l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024).Single();
