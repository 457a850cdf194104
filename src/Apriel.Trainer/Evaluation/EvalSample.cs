using System.Text.Json;
using Apriel.Trainer.Data;

namespace Apriel.Trainer.Evaluation;

/// <summary>
/// One evaluation sample: the prompt's token ids (the conversation up to where the expected response starts: the
/// assistant header, and the reasoning prefix when the expected answer comes with reasoning), its images, the expected
/// final answer, and a short text of the question for reports.
/// </summary>
public sealed record EvalSample(string Question, string Expected, int[] PromptIds, IReadOnlyList<DocumentImage> Images);

/// <summary>Reads evaluation samples from JSONL chat records (<c>Chat</c>, or <c>ImageText</c> when a record has <c>images</c>).</summary>
public static class EvalSamples
{
    private const int QuestionLength = 80;

    /// <summary>
    /// The first <paramref name="limit"/> records (all when null) of the JSONL file or directory at <paramref name="uri"/>.
    /// <paramref name="renderer"/> must mark responses only (<see cref="Apriel.Api.V1Alpha1.LossTokens.Responses"/>): the
    /// first loss token is where the expected response starts.
    /// </summary>
    public static IReadOnlyList<EvalSample> Read(string uri, int? limit, InputFiles inputs, DocumentRenderer renderer)
    {
        var records = JsonlFiles.Read(inputs.Files(uri, JsonlFiles.IsJsonl));
        if (records.Count == 0) throw new InvalidDataException($"evaluation set {uri} holds no records");
        return records.Take(limit ?? int.MaxValue).Select(r =>
        {
            try
            {
                return Sample(r, inputs, renderer);
            }
            catch (Exception e) when (e is InvalidDataException or IOException or ArgumentException or KeyNotFoundException)
            {
                throw new InvalidDataException($"{r.Where}: {e.Message}", e);
            }
        }).ToList();
    }

    private static EvalSample Sample(JsonlRecord record, InputFiles inputs, DocumentRenderer renderer)
    {
        var messages = record.Value.TryGetProperty("messages", out var list) && list.ValueKind == JsonValueKind.Array
            ? list.EnumerateArray().ToList()
            : throw new InvalidDataException("an evaluation record needs a \"messages\" array");
        if (messages.Count == 0 || messages[^1].GetProperty("role").GetString() != "assistant")
            throw new InvalidDataException("the last message must be the assistant's, holding the expected answer");
        var format = record.Value.TryGetProperty("images", out _) ? Api.V1Alpha1.DataFormat.ImageText : Api.V1Alpha1.DataFormat.Chat;
        var document = renderer.Record(record.Value, format,
            reference => ImageFiles.Reference(inputs.LocalFile(InputLocations.Resolve(reference, record.File)), renderer.Preprocessor));
        var start = Array.IndexOf(document.Loss, true);
        var question = messages.LastOrDefault(m => m.GetProperty("role").GetString() == "user") is { ValueKind: JsonValueKind.Object } user
            ? user.GetProperty("content").GetString() ?? ""
            : "";
        return new EvalSample(
            question.Length > QuestionLength ? question[..QuestionLength] + "…" : question,
            messages[^1].GetProperty("content").GetString() ?? "",
            document.Ids[..start],
            document.Images);
    }
}
