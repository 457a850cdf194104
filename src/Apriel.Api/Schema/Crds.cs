using Apriel.Api.V1Alpha1;
using k8s;

namespace Apriel.Api.Schema;

/// <summary>The project's CRDs as files: what <c>make crds</c> writes to <c>crds/</c> and the drift test compares.</summary>
public static class Crds
{
    /// <summary>The entity types that have a CRD.</summary>
    public static readonly Type[] Entities = [typeof(TrainingStage), typeof(ModelMerge)];

    /// <summary>The reference generated with them.</summary>
    public const string ReferenceFile = "README.md";

    /// <summary>File name and text of each CRD (YAML), then of the reference (Markdown).</summary>
    public static IEnumerable<(string File, string Text)> Render(XmlDocs docs)
    {
        var generator = new CrdGenerator(docs);
        var crds = Entities.Select(generator.Generate).ToList();
        foreach (var crd in crds)
        {
            var header = "# Generated from src/Apriel.Api by `make crds`. Do not edit.\n";
            yield return ($"{ApiGroup.Group}_{crd.Spec.Names.Plural}.yaml", header + KubernetesYaml.Serialize(crd));
        }
        yield return (ReferenceFile, CrdReference.Render(crds));
    }
}
