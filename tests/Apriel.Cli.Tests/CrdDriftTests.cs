using Apriel.Api.Schema;
using Apriel.Cli.Commands;

using Apriel.Testing;

namespace Apriel.Cli.Tests;

public sealed class CrdDriftTests
{
    [Fact]
    public void Committed_crds_match_the_api_types()
    {
        var rendered = Crds.Render(CrdsCommand.LoadDocs()).ToList();
        foreach (var (file, text) in rendered)
        {
            var path = RepoPaths.Of(Path.Combine("crds", file));
            Assert.True(File.Exists(path), $"{path} is missing: run `make crds`");
            Assert.True(File.ReadAllText(path) == text, $"{path} differs from the API types: run `make crds` and commit the result");
        }
        Assert.Equal(rendered.Select(r => r.File).Order(), Directory.GetFiles(RepoPaths.Of("crds")).Select(Path.GetFileName).Order());
    }
}
