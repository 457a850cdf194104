using Apriel.Api.Manifests;
using Apriel.Api.Validation;

namespace Apriel.Api.Tests;

public sealed class PipelineValidatorTests
{
    static IReadOnlyList<ManifestProblem> Check(params string[] yamls)
    {
        var set = yamls.Select((y, i) => ManifestReader.Read(y, $"m{i}.yaml")).Aggregate(ManifestSet.Empty, (a, b) => a.Concat(b));
        Assert.Empty(set.Problems);
        return PipelineValidator.Validate(set.Manifests, set.Invalid);
    }

    static string Stage(string name, string from, int equispaced = 0, int last = 1) => $$$"""
        apiVersion: apriel.dev/v1alpha1
        kind: TrainingStage
        metadata: {name: {{{name}}}}
        spec:
          model: {{{{from}}}}
          train: [Decoder]
          data: {sequenceLength: 256, sources: [{name: t, uri: d/t.jsonl, format: Text}]}
          optimizer: {learningRate: 1.0e-3}
          budget: {steps: 100}
          batch: {globalBatchSize: 8}
          resources: {gpusPerNode: 0}
          checkpoints: {interval: 10, retain: {equispaced: {{{equispaced}}}, last: {{{last}}}}}
        """;

    static string Average(string name, string stage, string select, int count) => $$$"""
        apiVersion: apriel.dev/v1alpha1
        kind: ModelMerge
        metadata: {name: {{{name}}}}
        spec:
          method: Linear
          inputs: [{stage: {{{stage}}}, checkpoints: {select: {{{select}}}, count: {{{count}}}}}]
        """;

    [Fact]
    public void A_resource_with_a_field_error_still_has_its_references_checked()
    {
        var set = ManifestReader.Read(Stage("sft", "merge: nowhere").Replace("learningRate: 1.0e-3", "learningRate: -1"), "sft.yaml");

        var problems = set.Problems.Concat(PipelineValidator.Validate(set.Manifests, set.Invalid, set.Flawed)).Select(p => p.Error.Path).ToList();

        Assert.Equal(["spec.optimizer.learningRate", "spec.model.merge"], problems);
    }

    [Theory]
    [InlineData("inputs: [{stage: base, checkpoints: {select: Equispaced}}]", "spec.inputs[0].checkpoints.count")] // no count
    [InlineData("inputs: [{stage: base, checkpoints: {select: Equispaced, count: 0}}]", "spec.inputs[0].checkpoints.count")]
    [InlineData("inputs: null", "spec.inputs")]
    public void A_flawed_merge_gets_its_own_problems_and_no_crash(string inputs, string path)
    {
        var merge = $$$"""
            apiVersion: apriel.dev/v1alpha1
            kind: ModelMerge
            metadata: {name: avg}
            spec:
              method: Linear
              {{{inputs}}}
            """;
        var set = ManifestReader.Read(Stage("base", "init: tiny", equispaced: 4), "base.yaml").Concat(ManifestReader.Read(merge, "avg.yaml"));

        var problems = set.Problems.Concat(PipelineValidator.Validate(set.Manifests, set.Invalid, set.Flawed)).ToList();

        Assert.Contains(problems, p => p.Error.Path == path);
    }

    [Fact]
    public void A_chain_in_any_file_order_is_valid() =>
        Assert.Empty(Check(Stage("b", "merge: avg"), Average("avg", "a", "Equispaced", 3), Stage("a", "init: tiny", equispaced: 6)));

    [Fact]
    public void Unknown_reference_names_the_field_and_the_candidates()
    {
        var problem = Assert.Single(Check(Stage("a", "init: tiny"), Stage("b", "stage: aa")));
        Assert.Equal("spec.model.stage", problem.Error.Path);
        Assert.Contains("stage/aa, which is not defined", problem.Error.Problem);
        Assert.Contains("a, b", problem.Error.Fix);
        Assert.Equal("m1.yaml", problem.Origin.File);
    }

    [Fact]
    public void Cycle_is_reported_with_its_path()
    {
        var problem = Assert.Single(Check(Stage("a", "merge: m"), Average("m", "b", "Last", 1), Stage("b", "stage: a")));
        Assert.Contains("cycle", problem.Error.Problem);
        Assert.Contains("stage/a → merge/m → stage/b → stage/a", problem.Error.Problem);
    }

    [Fact]
    public void Self_reference_is_a_cycle() =>
        Assert.Contains("cycle", Assert.Single(Check(Stage("a", "stage: a"))).Error.Problem);

    [Theory]
    [InlineData(6, 1, "Equispaced", 6, false)]
    [InlineData(6, 1, "Equispaced", 3, false)] // every other one of 6 is still equispaced
    [InlineData(3, 1, "Equispaced", 6, true)]
    [InlineData(4, 1, "Equispaced", 3, true)]
    [InlineData(0, 2, "Last", 2, false)]
    [InlineData(0, 1, "Last", 2, true)]
    public void Checkpoint_selection_must_fit_what_the_stage_keeps(int equispaced, int last, string select, int count, bool refused)
    {
        var problems = Check(Stage("a", "init: tiny", equispaced, last), Average("m", "a", select, count));
        Assert.Equal(refused, problems.Count == 1);
        if (refused) Assert.Equal("spec.inputs[0].checkpoints.count", problems[0].Error.Path);
    }

    [Fact]
    public void Duplicate_names_are_refused() =>
        Assert.Contains("also defined at m0.yaml", Assert.Single(Check(Stage("a", "init: tiny"), Stage("a", "init: tiny"))).Error.Problem);

    [Fact]
    public void References_to_invalid_resources_are_not_reported_twice()
    {
        var broken = Stage("a", "init: tiny").Replace("steps: 100", "steps: 0");
        var set = ManifestReader.Read(broken, "a.yaml").Concat(ManifestReader.Read(Stage("b", "stage: a"), "b.yaml"));
        Assert.Single(set.Problems);
        Assert.Empty(PipelineValidator.Validate(set.Manifests, set.Invalid));
    }
}
