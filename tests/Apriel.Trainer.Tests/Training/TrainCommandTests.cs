using System.Text.Json;
using Apriel.Api.Manifests;
using Apriel.Api.Runs;
using Apriel.Api.V1Alpha1;
using Apriel.Trainer.Checkpoints;
using Apriel.Trainer.Tests.Data;
using Apriel.Trainer.Training;

namespace Apriel.Trainer.Tests.Training;

public sealed class TrainCommandTests
{
    private static TrainingStageSpec Spec(long steps) => new()
    {
        Model = new ModelSource { Init = "tiny" },
        Train = [Component.Decoder],
        Data = new DataSpec { SequenceLength = 64, Sources = [TestData.Source("text", "text.jsonl", DataFormat.Text)] },
        Optimizer = new OptimizerSpec { LearningRate = 1e-3 },
        Budget = new BudgetSpec { Steps = steps },
        Batch = new BatchSpec { GlobalBatchSize = 2 },
        Precision = DType.FP32,
        Checkpoints = new CheckpointSpec { Interval = 1000 },
    };

    private static string WriteTask(TempDir dir, long steps)
    {
        var task = TinyStages.Task(Spec(steps), dir.File("run"));
        var file = dir.File("task.json");
        File.WriteAllText(file, JsonSerializer.Serialize(task, ApiJson.Options));
        return file;
    }

    [Fact]
    public void Should_train_a_task_file_into_its_output_directory()
    {
        using var dir = new TempDir();

        var output = new StringWriter();

        var code = Program.Run(["train", "--task", WriteTask(dir, steps: 3)], output);

        Assert.True(code == ExitCodes.Ok, $"exit code {code}:\n{output}");
        using var model = ModelCheckpoint.Load(dir.File("run/model"));
        Assert.True(File.Exists(dir.File("run/progress.json")));
        Assert.True(File.Exists(dir.File("run/model/MANIFEST.json"))); // committed by the artifact store's protocol
    }

    [Fact]
    public void Should_leave_training_to_the_first_pod_of_an_indexed_job()
    {
        using var dir = new TempDir();
        var output = new StringWriter();

        var code = TrainCommand.Handler(output, WriteTask(dir, steps: 3), threads: 1, TimeSpan.FromSeconds(5), completionIndex: "3");

        Assert.Equal(ExitCodes.Ok, code);
        Assert.Contains("pod 3 of an Indexed Job", output.ToString());
        Assert.False(Directory.Exists(dir.File("run")));
    }

    [Fact]
    public void Should_refuse_a_cuda_device_that_libtorch_does_not_see_and_write_nothing()
    {
        using var dir = new TempDir();
        var output = new StringWriter();

        // These machines' libtorch is the CPU build: CUDA is never available here.
        var code = Program.Run(["train", "--task", WriteTask(dir, steps: 3), "--device", "cuda"], output);

        Assert.Equal(ExitCodes.Invalid, code);
        Assert.Contains("--device cuda: libtorch sees no CUDA device", output.ToString());
        Assert.False(Directory.Exists(dir.File("run")));
    }

    [Fact]
    public void Should_refuse_a_task_file_it_cannot_read()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("task.json"), "{ not json");

        var output = new StringWriter();

        Assert.Equal(ExitCodes.Usage, Program.Run(["train", "--task", dir.File("task.json")], output));
        Assert.Contains("not a readable TrainingTask", output.ToString());
    }

    [Fact]
    public void Should_commit_a_checkpoint_and_exit_75_on_sigterm()
    {
        using var dir = new TempDir();
        var taskFile = WriteTask(dir, steps: 1_000_000);
        using var process = TrainerProcess.Start(taskFile, arguments: ["--progress-seconds", "0"]);
        // Wait until it has trained a few steps (a guard against hanging, not a speed requirement).
        var progress = dir.File("run/progress.json");
        var deadline = DateTime.UtcNow.AddMinutes(3);
        while (!(File.Exists(progress) && ReadStep(progress) >= 3) && !process.HasExited && DateTime.UtcNow < deadline) Thread.Sleep(50);
        Assert.False(process.HasExited, process.Output);

        Assert.Equal(0, Sigterm(process.Id));
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(3)), "the trainer did not stop after SIGTERM");

        Assert.Equal(ExitCodes.Preempted, process.ExitCode);
        var checkpoints = Directory.GetDirectories(dir.File("run/checkpoints"))
            .Where(d => File.Exists(Path.Combine(d, "MANIFEST.json"))) // committed
            .Select(d => long.Parse(Path.GetFileName(d)["step-".Length..])).ToList();
        var step = Assert.Single(checkpoints);
        Assert.True(step >= 3);
        var state = TrainingCheckpoint.ReadState(dir.File($"run/checkpoints/step-{step:D7}"));
        Assert.Equal(step, state.Step);
        Assert.Equal(step, ReadStep(dir.File("run/progress.json")));
    }

    private static long ReadStep(string progressFile)
    {
        try
        {
            return JsonSerializer.Deserialize<Progress>(File.ReadAllText(progressFile), ApiJson.Options)!.Step;
        }
        catch (Exception e) when (e is IOException or JsonException)
        {
            return -1; // being replaced
        }
    }

    private static int Sigterm(int pid)
    {
        using var kill = System.Diagnostics.Process.Start("kill", ["-TERM", pid.ToString(System.Globalization.CultureInfo.InvariantCulture)])!;
        kill.WaitForExit();
        return kill.ExitCode;
    }
}
