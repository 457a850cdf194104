using Apriel.Cli.Commands;

using Apriel.Testing;

namespace Apriel.Cli.Tests;

public sealed class ValidateCommandTests
{
    [Theory]
    [InlineData("examples/apriel-15b", 11)]
    [InlineData("examples/tiny", 12)]
    public void Examples_are_valid(string dir, int resources)
    {
        var output = new StringWriter();
        Assert.Equal(ExitCodes.Ok, ValidateCommand.Handler(output, RepoPaths.Of(dir)));
        Assert.Contains($"{resources} resources", output.ToString());
    }

    [Fact]
    public void Broken_manifests_print_every_problem_with_its_file()
    {
        var dir = Directory.CreateTempSubdirectory("apriel-validate-").FullName;
        try
        {
            foreach (var file in Directory.GetFiles(RepoPaths.Of("examples/tiny"), "*.yaml")) File.Copy(file, Path.Combine(dir, Path.GetFileName(file)));
            var cpt1 = Path.Combine(dir, "05-cpt-1.yaml");
            File.WriteAllText(cpt1, File.ReadAllText(cpt1).Replace("learningRate: 1.0e-3", "learningRate: -1").Replace("format: ImageText", "format: Images"));
            File.WriteAllText(Path.Combine(dir, "11-extra.yaml"), File.ReadAllText(Path.Combine(dir, "10-final.yaml")).Replace("name: final", "name: extra").Replace("sft-long", "sft-longer"));

            var output = new StringWriter();
            Assert.Equal(ExitCodes.Invalid, ValidateCommand.Handler(output, dir));
            var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Contains(lines, l => l.Contains("05-cpt-1.yaml") && l.Contains("spec.optimizer.learningRate: -1 is out of range"));
            Assert.Contains(lines, l => l.Contains("05-cpt-1.yaml") && l.Contains("spec.data.sources[2].format: \"Images\" is not one of"));
            Assert.Contains(lines, l => l.Contains("11-extra.yaml") && l.Contains("spec.inputs[1].stage: refers to stage/sft-longer, which is not defined"));
            Assert.DoesNotContain(lines, l => l.Contains("refers to stage/cpt-1")); // cpt-1 is invalid, not missing
            Assert.Equal("3 problem(s) in " + dir, lines[^1]);
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Fact]
    public void Missing_path_is_a_usage_error() =>
        Assert.Equal(ExitCodes.Usage, ValidateCommand.Handler(new StringWriter(), "/nonexistent/apriel"));
}
