using System.ComponentModel;
using System.Reflection;
using Apriel.Api.Schema;
using Apriel.Api.V1Alpha1;

namespace Apriel.Api.Tests;

public sealed class SchemaGenerationTests
{
    static readonly CrdGenerator Generator = new(XmlDocs.Parse(File.ReadAllText(Path.ChangeExtension(typeof(TrainingStage).Assembly.Location, ".xml"))));

    [Fact]
    public void Every_DefaultValue_matches_the_property_initializer()
    {
        foreach (var type in typeof(TrainingStage).Assembly.GetTypes().Where(t => t.Namespace == typeof(TrainingStage).Namespace
                     && t.IsClass && !t.IsAbstract && t.GetConstructor(Type.EmptyTypes) != null))
        {
            var instance = Activator.CreateInstance(type);
            foreach (var p in TypeModel.Properties(type))
                if (p.GetCustomAttribute<DefaultValueAttribute>() is { } d)
                    Assert.True(Equals(d.Value, p.GetValue(instance)), $"{type.Name}.{p.Name}: [DefaultValue({d.Value})] but initialised to {p.GetValue(instance)}");
        }
    }

    [Fact]
    public void Stage_crd_has_status_subresource_printer_columns_and_short_names()
    {
        var crd = Generator.Generate(typeof(TrainingStage));
        var version = Assert.Single(crd.Spec.Versions);
        Assert.Equal("trainingstages.apriel.dev", crd.Metadata.Name);
        Assert.NotNull(version.Subresources.Status);
        Assert.Equal(["Phase", "Progress", "Source", "Loss", "Run", "Age"], version.AdditionalPrinterColumns.Select(c => c.Name).ToArray());
        Assert.Equal(["ts", "stage"], crd.Spec.Names.ShortNames.ToArray());
    }

    [Fact]
    public void Schema_carries_descriptions_enums_bounds_required_defaults_and_rules()
    {
        var spec = Generator.Generate(typeof(TrainingStage)).Spec.Versions[0].Schema.OpenAPIV3Schema.Properties["spec"];
        Assert.Contains("budget", spec.Required);
        Assert.DoesNotContain("schedule", spec.Required);
        var data = spec.Properties["data"];
        Assert.Equal(16, data.Properties["sequenceLength"].Minimum);
        Assert.Equal(true, data.Properties["packing"].DefaultProperty);
        Assert.Equal(["All", "Responses"], data.Properties["loss"].EnumProperty.Cast<string>().ToArray());
        Assert.False(string.IsNullOrEmpty(data.Properties["loss"].Description));
        Assert.NotNull(spec.Properties["schedule"].DefaultProperty); // {} so nested defaults apply
        Assert.Contains(spec.Properties["budget"].XKubernetesValidations, r => r.Rule.Contains("has(self.steps)"));
        Assert.True(spec.Properties["resources"].Properties["cpu"].XKubernetesIntOrString);
    }

    [Fact]
    public void Every_property_of_the_schema_is_described()
    {
        foreach (var entity in Crds.Entities)
            AssertDescribed(Generator.Generate(entity).Spec.Versions[0].Schema.OpenAPIV3Schema, entity.Name);
    }

    static void AssertDescribed(k8s.Models.V1JSONSchemaProps schema, string path)
    {
        foreach (var (name, property) in schema.Properties ?? new Dictionary<string, k8s.Models.V1JSONSchemaProps>())
        {
            if (name == "metadata") continue; // must stay a bare object
            Assert.False(string.IsNullOrWhiteSpace(property.Description), $"{path}.{name} has no description");
            AssertDescribed(property.Items as k8s.Models.V1JSONSchemaProps ?? property, $"{path}.{name}");
        }
    }
}
