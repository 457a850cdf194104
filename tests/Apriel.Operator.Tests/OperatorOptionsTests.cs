namespace Apriel.Operator.Tests;

public sealed class OperatorOptionsTests
{
    static readonly Dictionary<string, string> Env = new()
    {
        ["APRIEL_TRAINER_IMAGE"] = "trainer:1", ["APRIEL_ARTIFACT_ROOT"] = "s3://apriel/runs", ["APRIEL_S3_SECRET"] = "apriel-s3",
    };

    static (OperatorOptions? Options, IReadOnlyList<string> Problems) Parse(Dictionary<string, string> env, params string[] args) =>
        OperatorOptions.Parse(args, name => env.GetValueOrDefault(name));

    [Fact]
    public void Environment_gives_settings_and_flags_override_it()
    {
        var (options, problems) = Parse(Env, "--trainer-image=trainer:2", "--namespace=team-a", "--leader-elect=false", "--workers=8");
        Assert.Empty(problems);
        Assert.Equal(("trainer:2", "s3://apriel/runs/", "apriel-s3"), (options!.Settings.TrainerImage, options.Settings.ArtifactRoot, options.Settings.S3SecretName));
        Assert.Equal(("team-a", false, 8), (options.WatchNamespace, options.LeaderElection, options.Workers));
        Assert.Equal("nvidia.com/gpu", options.Settings.GpuResourceName);
    }

    [Fact]
    public void Every_problem_is_reported_with_how_to_fix_it()
    {
        var (options, problems) = Parse([], "--leader-elect=maybe", "--bogus=1", "positional");
        Assert.Null(options);
        Assert.Contains(problems, p => p.StartsWith("--trainer-image (or APRIEL_TRAINER_IMAGE) is required"));
        Assert.Contains(problems, p => p.StartsWith("--artifact-root"));
        Assert.Contains(problems, p => p.StartsWith("--s3-secret"));
        Assert.Contains(problems, p => p.Contains("\"maybe\" is not true or false"));
        Assert.Contains(problems, p => p.Contains("unknown argument \"--bogus=1\""));
        Assert.Contains(problems, p => p.Contains("unknown argument \"positional\""));
    }

    [Fact]
    public void Artifact_root_must_be_a_store_uri() =>
        Assert.Contains(Parse(new(Env) { ["APRIEL_ARTIFACT_ROOT"] = "/data" }).Problems, p => p.Contains("must be s3://bucket/prefix/"));

    [Fact]
    public void Pod_defaults_parse_from_the_environment_as_the_chart_sets_them()
    {
        var (options, problems) = Parse(new(Env)
        {
            ["APRIEL_DEFAULT_NODE_SELECTOR"] = "pool=gpu, zone=a",
            ["APRIEL_DEFAULT_TOLERATIONS"] = """[{"key":"nvidia.com/gpu","operator":"Exists","effect":"NoSchedule"}]""",
            ["APRIEL_DEFAULT_QUEUE"] = "team-a",
        });
        Assert.Empty(problems);
        Assert.Equal(new Dictionary<string, string> { ["pool"] = "gpu", ["zone"] = "a" }, options!.Settings.DefaultNodeSelector);
        Assert.Equal(("nvidia.com/gpu", "Exists"), (options.Settings.DefaultTolerations![0].Key, options.Settings.DefaultTolerations[0].Operator));
        Assert.Equal("team-a", options.Settings.DefaultQueueName);

        var (_, bad) = Parse(new(Env) { ["APRIEL_DEFAULT_NODE_SELECTOR"] = "gpu", ["APRIEL_DEFAULT_TOLERATIONS"] = "{" });
        Assert.Equal(2, bad.Count);
    }
}
