using System.Diagnostics;
using Apriel.Artifacts;
using Apriel.Cli.Commands;
using Apriel.Cli.Run;
using Apriel.Testing;
using Apriel.Trainer.Data.Tiny;

namespace Apriel.Cli.Tests;

/// <summary>
/// <c>apriel run</c> on a three-resource pipeline (a stage from a built-in model, a passthrough merge of it, a stage
/// from the merge), with real trainer processes: memoization, reruns of what changed, Ctrl-C and resume.
/// </summary>
public sealed class LocalRunnerTests
{
    static string Stage(string name, string model, long steps, double learningRate, int interval = 1000) => $$"""
        apiVersion: apriel.dev/v1alpha1
        kind: TrainingStage
        metadata: {name: {{name}}}
        spec:
          model: {{model}}
          train: [Decoder]
          data: {sequenceLength: 64, sources: [{name: text, uri: datasets/tiny/text.jsonl, format: Text}]}
          optimizer: {learningRate: {{learningRate.ToString(System.Globalization.CultureInfo.InvariantCulture)}}}
          budget: {steps: {{steps}}}
          batch: {globalBatchSize: 8}
          precision: FP32
          checkpoints: {interval: {{interval}}}
        """;

    const string Merge = """
        apiVersion: apriel.dev/v1alpha1
        kind: ModelMerge
        metadata: {name: deeper}
        spec:
          method: Passthrough
          inputs:
            - {stage: first, layers: {start: 0, end: 3}}
            - {stage: first, layers: {start: 1, end: 4}}
          dtype: FP32
        """;

    static (TestDirectory Work, string Pipeline) Setup(string name, double secondLearningRate = 1e-3)
    {
        var work = TestDirectory.Create(name);
        TinyDataset.Write(Path.Combine(work.FullPath, "store"), seed: 0);
        var pipeline = work.Subdirectory("pipeline");
        File.WriteAllText(Path.Combine(pipeline, "1.yaml"), Stage("first", "{init: tiny}", 4, 1e-3));
        File.WriteAllText(Path.Combine(pipeline, "2.yaml"), Merge);
        File.WriteAllText(Path.Combine(pipeline, "3.yaml"), Stage("second", "{merge: deeper}", 3, secondLearningRate));
        return (work, pipeline);
    }

    static async Task<(int Code, string Output)> RunAsync(TestDirectory work, string pipeline)
    {
        var output = new StringWriter();
        var code = await RunCommand.HandlerAsync(output, pipeline, work.FullPath, null, threads: 1, CancellationToken.None);
        return (code, output.ToString());
    }

    [Fact]
    public async Task Runs_in_order_then_does_nothing_then_reruns_only_what_changed()
    {
        var (work, pipeline) = Setup("runner");
        using var _ = work;

        var (code, first) = await RunAsync(work, pipeline);
        Assert.True(code == ExitCodes.Ok, first);
        Assert.Equal(3, first.Split('\n').Count(l => l.StartsWith("✓ ", StringComparison.Ordinal) && l.Contains("committed")));
        Assert.True(first.IndexOf("stage/first: committed", StringComparison.Ordinal) < first.IndexOf("merge/deeper: committed", StringComparison.Ordinal));
        Assert.True(File.Exists(Path.Combine(work.FullPath, "report", "report.md")));

        var (again, second) = await RunAsync(work, pipeline);
        Assert.Equal(ExitCodes.Ok, again);
        Assert.Equal(3, second.Split('\n').Count(l => l.Contains(": up to date (run ")));

        File.WriteAllText(Path.Combine(pipeline, "3.yaml"), Stage("second", "{merge: deeper}", 3, 2e-3));
        var (changed, third) = await RunAsync(work, pipeline);
        Assert.Equal(ExitCodes.Ok, changed);
        Assert.Contains("stage/first: up to date", third);
        Assert.Contains("merge/deeper: up to date", third);
        Assert.Contains("stage/second: committed", third);
    }

    [Fact]
    public async Task Ctrl_c_stops_after_a_checkpoint_that_a_rerun_resumes_from()
    {
        var (work, pipeline) = Setup("runner-interrupt");
        using var _ = work;
        File.WriteAllText(Path.Combine(pipeline, "1.yaml"), Stage("first", "{init: tiny}", 100_000, 1e-3, interval: 1000));
        File.Delete(Path.Combine(pipeline, "2.yaml"));
        File.Delete(Path.Combine(pipeline, "3.yaml"));
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "apriel.dll"), "run", pipeline, "--work", work.FullPath])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var output = new System.Text.StringBuilder();
        process.OutputDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            using var store = ArtifactStores.Open(WorkDirectory.DefaultStore(work.FullPath));
            var artifacts = new StoreRunArtifacts(store);
            await Poll.UntilAsync("a few steps", async ct =>
            {
                var runs = Directory.Exists(Path.Combine(work.FullPath, "store", "default", "first")) ? Directory.GetDirectories(Path.Combine(work.FullPath, "store", "default", "first")) : [];
                return runs.Length == 1 && await artifacts.ProgressAsync(new Uri(runs[0] + "/").AbsoluteUri, ct) is { Step: >= 3 };
            }, TimeSpan.FromMinutes(3));
            Assert.Equal(0, Kill(process.Id, 2)); // SIGINT, as Ctrl-C sends
            Assert.True(process.WaitForExit(TimeSpan.FromMinutes(3)), "apriel run did not stop after SIGINT");
            process.WaitForExit(); // with a timeout it does not wait for the redirected output to drain; this does
        }
        finally
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
        }
        var log = output.ToString();
        Assert.True(process.ExitCode == RunCommand.Interrupted, log);
        Assert.Contains("interrupted after", log);

        // The stopped run has a committed checkpoint that `apriel run` resumes from (the trainer's resume is tested bit for bit).
        var status = new StringWriter();
        Assert.Equal(ExitCodes.Invalid, await StatusCommand.HandlerAsync(status, pipeline, work.FullPath, null, CancellationToken.None));
        Assert.Matches(@"◐ \[1/1\] stage/first: stopped at step \d+/100000 .* resumes from step \d+", status.ToString());
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill")]
    static extern int Kill(int pid, int signal);
}
