using Apriel.Api.V1Alpha1;
using k8s;

namespace Apriel.Api.Schema;

/// <summary>The project's CRDs as files: what <c>make crds</c> writes to <c>crds/</c> and the drift test compares.</summary>
public static class Crds
{
    /// <summary>The entity types that have a CRD.</summary>
    public static readonly Type[] Entities = [typeof(TrainingStage), typeof(ModelMerge)];

    /// <summary>File name and YAML text of each CRD.</summary>
    public static IEnumerable<(string File, string Yaml)> Render(XmlDocs docs)
    {
        var generator = new CrdGenerator(docs);
        foreach (var entity in Entities)
        {
            var crd = generator.Generate(entity);
            var header = "# Generated from src/Apriel.Api by `make crds`. Do not edit.\n";
            yield return ($"{ApiGroup.Group}_{crd.Spec.Names.Plural}.yaml", header + KubernetesYaml.Serialize(crd));
        }
    }
}
