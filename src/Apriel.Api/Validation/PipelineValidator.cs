using Apriel.Api.Manifests;
using Apriel.Api.V1Alpha1;

namespace Apriel.Api.Validation;

/// <summary>
/// Checks across a set of manifests applied together: duplicate names, references to resources that are not
/// there, cycles, and merges that ask a stage for more checkpoints than it keeps.
/// </summary>
public static class PipelineValidator
{
    /// <summary>
    /// Every problem of the set; empty when it can run. <paramref name="invalid"/> names resources that exist but
    /// failed their own validation, so references to them are not reported a second time; <paramref name="flawed"/> are
    /// those of them that could be typed, whose own references are checked too, so that one run reports every problem.
    /// </summary>
    public static IReadOnlyList<ManifestProblem> Validate(IReadOnlyList<Manifest> manifests, IReadOnlyCollection<ResourceRef>? invalid = null,
        IReadOnlyList<Manifest>? flawed = null)
    {
        var problems = new List<ManifestProblem>();
        var byRef = new Dictionary<ResourceRef, Manifest>();
        foreach (var m in manifests)
            if (!byRef.TryAdd(m.Ref, m))
                problems.Add(Problem(m, "metadata.name", $"\"{m.Ref.Name}\" is also defined at {byRef[m.Ref].Origin}", "give each resource a unique name"));

        foreach (var m in manifests.Concat(flawed ?? []))
            foreach (var (path, reference, selector) in References(m))
            {
                if (invalid?.Contains(reference) == true) continue;
                if (!byRef.TryGetValue(reference, out var target))
                {
                    var known = byRef.Keys.Where(k => k.Kind == reference.Kind).Select(k => k.Name).Order().ToList();
                    problems.Add(Problem(m, path, $"refers to {reference}, which is not defined",
                        known.Count > 0 ? $"use one of {string.Join(", ", known)}" : $"define a {reference.Kind} named {reference.Name}"));
                }
                else if (selector != null && target.Resource is TrainingStage stage)
                    CheckSelection(m, path, selector, stage, problems);
            }

        foreach (var cycle in Graph.Cycles(manifests.Select(m => m.Ref).Distinct(),
                     r => byRef.TryGetValue(r, out var m) ? References(m).Select(x => x.Ref) : []))
            problems.Add(Problem(byRef[cycle[0]], "spec", $"is part of a cycle: {string.Join(" → ", cycle.Append(cycle[0]))}",
                "break the cycle: a resource cannot depend on its own output"));
        return problems;
    }

    /// <summary>The resources a manifest depends on, with the field that names each.</summary>
    public static IEnumerable<(string Path, ResourceRef Ref, CheckpointSelector? Selector)> References(Manifest m)
    {
        switch (m.Resource)
        {
            case TrainingStage s:
                if (s.Spec.Model.Reference is { } model) yield return ($"spec.model.{Field(model)}", model, null);
                break;
            case ModelMerge merge:
                for (var i = 0; i < merge.Spec.Inputs.Count; i++)
                    if (merge.Spec.Inputs[i].Reference is { } input)
                        yield return ($"spec.inputs[{i}].{Field(input)}", input, merge.Spec.Inputs[i].Checkpoints);
                if (merge.Spec.Base?.Reference is { } b) yield return ($"spec.base.{Field(b)}", b, null);
                break;
        }
    }

    static void CheckSelection(Manifest m, string path, CheckpointSelector selector, TrainingStage stage, List<ManifestProblem> problems)
    {
        if (selector.Count is not (> 0 and var count)) return; // a missing or bad count is the merge's own problem, reported already
        var retain = stage.Spec.Checkpoints.Retain;
        var at = path[..path.LastIndexOf('.')] + ".checkpoints.count";
        if (selector.Select == CheckpointSelection.Equispaced && (retain.Equispaced < count || retain.Equispaced % count != 0))
            problems.Add(Problem(m, at, $"asks for {count} equispaced checkpoints, but stage/{stage.Metadata.Name} keeps {retain.Equispaced}",
                $"set spec.checkpoints.retain.equispaced of stage/{stage.Metadata.Name} to {count} (or a multiple of it)"));
        if (selector.Select == CheckpointSelection.Last && retain.Last < count)
            problems.Add(Problem(m, at, $"asks for the last {count} checkpoints, but stage/{stage.Metadata.Name} keeps the last {retain.Last}",
                $"set spec.checkpoints.retain.last of stage/{stage.Metadata.Name} to at least {count}"));
    }

    static string Field(ResourceRef r) => r.Kind == ResourceKind.TrainingStage ? "stage" : "merge";

    static ManifestProblem Problem(Manifest m, string path, string problem, string fix) =>
        new(m.Origin, m.Ref.ToString(), new FieldError(path, problem, fix));
}
