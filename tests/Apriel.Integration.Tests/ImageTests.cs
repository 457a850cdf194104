using System.Text.RegularExpressions;
using Apriel.Testing;

namespace Apriel.Integration.Tests;

/// <summary>
/// The Dockerfiles in trainer-image/. No Docker engine runs here, so: they parse (instructions, stages, build
/// arguments), and the operator image's build step runs here as written and gives a program that starts. The
/// trainer image's build step restores CUDA libtorch, which is not available here; it is only parsed.
/// </summary>
public sealed partial class ImageTests
{
    static readonly HashSet<string> Instructions = ["FROM", "ARG", "ENV", "RUN", "COPY", "WORKDIR", "USER", "ENTRYPOINT", "CMD", "LABEL", "EXPOSE"];

    /// <summary>Instructions with continuation lines joined, comments and blank lines dropped.</summary>
    static List<(string Instruction, string Arguments)> Parse(string path)
    {
        var joined = Regex.Replace(File.ReadAllText(path), @"\\\r?\n", " ");
        return [.. joined.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#'))
            .Select(l => l.Split(' ', 2) is [var i, var a] ? (i, a.Trim()) : (l, ""))];
    }

    [Theory]
    [InlineData("trainer-image/Dockerfile")]
    [InlineData("trainer-image/operator.Dockerfile")]
    public void Dockerfile_parses_and_runs_non_root(string file)
    {
        var lines = Parse(RepoPaths.Of(file));
        Assert.All(lines, l => Assert.Contains(l.Instruction, Instructions));
        Assert.Equal("FROM", lines.First(l => l.Instruction != "ARG").Instruction);
        var stages = new List<string>();
        foreach (var (instruction, arguments) in lines)
        {
            if (instruction == "FROM" && FromAlias().Match(arguments) is { Success: true } alias) stages.Add(alias.Groups[1].Value);
            if (instruction == "COPY" && CopyFrom().Match(arguments) is { Success: true } from) Assert.Contains(from.Groups[1].Value, stages);
        }
        Assert.Equal("65532:65532", lines.Last(l => l.Instruction == "USER").Arguments); // the operator's pods run as this user
        Assert.StartsWith("[\"apriel-", lines.Single(l => l.Instruction == "ENTRYPOINT").Arguments);
    }

    [Fact]
    public async Task Operator_image_build_step_gives_a_program_that_starts()
    {
        var publish = Parse(RepoPaths.Of("trainer-image/operator.Dockerfile")).Single(l => l.Instruction == "RUN" && l.Arguments.Contains("dotnet publish")).Arguments;
        using var output = TestDirectory.Create("operator-image");
        var command = publish.Replace("-o /out", $"-o {output.FullPath}", StringComparison.Ordinal);
        var built = await Command.RunAsync("bash", ["-c", $"cd {RepoPaths.Of(".")} && {command}"]);
        Assert.True(built.Succeeded, built.ToString());

        var help = await Command.RunAsync(Path.Combine(output.FullPath, "apriel-operator"), ["--help"]);
        Assert.True(help.Succeeded, help.ToString());
        Assert.Contains("--trainer-image", help.StdOut);
    }

    [GeneratedRegex(@"\bAS\s+(\S+)", RegexOptions.IgnoreCase)]
    private static partial Regex FromAlias();

    [GeneratedRegex(@"--from=(\S+)")]
    private static partial Regex CopyFrom();
}
