using Apriel.Api.Manifests;
using Apriel.Api.V1Alpha1;
using Apriel.Cli.Report;
using Apriel.Cli.Run;
using Apriel.Testing;

namespace Apriel.Cli.Tests;

public sealed class RunPiecesTests
{
    [Fact]
    public void The_tiny_pipeline_runs_dependencies_first()
    {
        var manifests = ManifestFiles.Load(RepoPaths.Of("examples/tiny")).Manifests;
        var order = PipelineOrder.Of([.. manifests.Reverse()]).Select(m => m.Ref.ToString()).ToList();
        foreach (var m in manifests)
            foreach (var (_, reference, _) in Api.Validation.PipelineValidator.References(m))
                Assert.True(order.IndexOf(reference.ToString()) < order.IndexOf(m.Ref.ToString()), $"{m.Ref} runs before {reference}");
        Assert.Equal("stage/base", order[0]);
    }

    [Fact]
    public void A_progress_line_says_where_how_fast_and_when()
    {
        var line = ProgressLine.Of(new Progress { Step = 40, Total = 60, Percent = 66, Loss = 3.21449, TokensPerSecond = 12_345, EtaSeconds = 125 });
        Assert.Equal("step 40/60 (66%)  loss 3.214  12.3k tok/s  ETA 2m05s", line);
        Assert.Equal("3h05m", ProgressLine.Duration(TimeSpan.FromMinutes(185)));
    }

    [Fact]
    public void A_loss_chart_draws_the_smoothed_curve_inside_its_frame()
    {
        var points = Enumerable.Range(1, 100).Select(i => ((long)i, 5.0 / i + (i % 2 == 0 ? 0.2 : -0.2))).ToList();
        var chart = LossChart.Draw(points);
        Assert.Equal(640 * 320 * 3, chart.Pixels.Length);
        var dark = 0;
        for (var i = 0; i < chart.Pixels.Length; i += 3)
            if (chart.Pixels[i] == 20 && chart.Pixels[i + 1] == 80 && chart.Pixels[i + 2] == 170) dark++;
        Assert.True(dark > 500, $"{dark} pixels of the smoothed curve");
        var smoothed = LossChart.Smoothed(points).ToList();
        Assert.True(smoothed[^1].Loss < smoothed[10].Loss); // falls, as the points do
        Assert.Throws<ArgumentException>(() => LossChart.Draw([]));
    }

    [Fact]
    public void Trainer_results_that_are_missing_or_malformed_do_not_break_a_report()
    {
        Assert.Null(RunResultJson.Parse<TrainerState>(null));
        Assert.Null(RunResultJson.Parse<TrainerState>("{ not json"));
        var state = RunResultJson.Parse<TrainerState>("""{"global_step": 2, "log_history": [{"step": 1, "loss": 2.5}, {"step": 2, "loss": "NaN"}, {"step": 2}]}""");
        Assert.Equal([(1L, 2.5)], state!.Losses);
    }

    [Fact]
    public void Report_settings_explain_a_stage_and_a_merge()
    {
        var manifests = ManifestFiles.Load(RepoPaths.Of("examples/tiny")).Manifests;
        var upscale = manifests.Single(m => m.Resource.Metadata.Name == "upscale-init").Resource;
        Assert.Equal("Passthrough of stage/base layers [0,3), stage/base layers [1,4), output FP32", Assert.Single(ReportWriter.Settings(upscale)));
        var base0 = manifests.Single(m => m.Resource.Metadata.Name == "base").Resource;
        Assert.StartsWith("trains VisionEncoder, Projector, Decoder from init/tiny, 300 steps", ReportWriter.Settings(base0).First());
    }
}
