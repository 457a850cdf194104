using Apriel.Api.Manifests;
using YamlDotNet.Core;

namespace Apriel.Api.Tests;

public sealed class YamlJsonTests
{
    [Fact]
    public void Plain_scalars_follow_the_core_schema()
    {
        var json = YamlJson.Parse("a: 5.0e-5\nb: 12\nc: true\nd: ~\ne: '12'\nf: 1.5Gi\ng: \"true\"\nh: -3\n").Single().Json!;
        Assert.Equal("""{"a":5E-05,"b":12,"c":true,"d":null,"e":"12","f":"1.5Gi","g":"true","h":-3}""", json.ToJsonString());
    }

    [Fact]
    public void Documents_are_split_with_their_start_lines()
    {
        var docs = YamlJson.Parse("# c\na: 1\n---\n---\nb: [x, {y: 2}]\n");
        Assert.Equal(2, docs.Count);
        Assert.Equal([2, 5], docs.Select(d => d.Line).ToArray());
        Assert.Equal("""{"b":["x",{"y":2}]}""", docs[1].Json!.ToJsonString());
    }

    [Fact]
    public void Invalid_yaml_throws_with_a_position()
    {
        var e = Assert.ThrowsAny<YamlException>(() => YamlJson.Parse("a: [1, 2\nb: 3\n"));
        Assert.True(e.Start.Line > 0);
    }

    [Fact]
    public void Invalid_yaml_becomes_a_problem_of_its_file()
    {
        var problem = Assert.Single(ManifestReader.Read("a: [1, 2\n", "bad.yaml").Problems);
        Assert.Equal("bad.yaml", problem.Origin.File);
        Assert.Contains("not valid YAML", problem.Error.Problem);
    }
}
