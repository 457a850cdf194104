using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Apriel.Api.Manifests;
using Apriel.Api.V1Alpha1;

namespace Apriel.Api.Runs;

/// <summary>
/// The identity of a run: a hash of everything that decides its result — the spec without its operational
/// fields, and the digests of its resolved inputs. Re-applying an unchanged manifest gives the same run id (so
/// its committed output is adopted instead of trained again); a new input digest upstream gives a new one.
/// </summary>
public static class RunIdentity
{
    /// <summary>
    /// Spec fields that change how a run is executed or what is measured about it, not the weights it produces
    /// (adding an evaluation set must not retrain).
    /// </summary>
    public static readonly IReadOnlySet<string> OperationalFields =
        new HashSet<string> { "resources", "image", "retryLimit", "suspend", "queueName", "retentionPolicy", "evaluation", "activationCheckpointing" };

    /// <summary>Hex characters kept: 48 bits, short enough for Job names, ample for one resource's runs.</summary>
    public const int Length = 12;

    /// <summary>The run id of a stage with the given resolved inputs (role → digest).</summary>
    public static string Of(TrainingStageSpec spec, IEnumerable<ResolvedInput> inputs) => Of(TrainingStage.KindName, spec, inputs);

    /// <summary>The run id of a merge with the given resolved inputs.</summary>
    public static string Of(ModelMergeSpec spec, IEnumerable<ResolvedInput> inputs) => Of(ModelMerge.KindName, spec, inputs);

    static string Of<TSpec>(string kind, TSpec spec, IEnumerable<ResolvedInput> inputs)
    {
        var result = JsonSerializer.SerializeToNode(spec, ApiJson.Options)!.AsObject();
        foreach (var field in OperationalFields) result.Remove(field);
        var identity = new JsonObject
        {
            ["kind"] = kind,
            ["spec"] = result,
            // Sources only name where inputs came from; what matters is their content, i.e. the digests.
            ["inputs"] = new JsonArray(inputs.Select(i => (JsonNode)new JsonObject { ["role"] = i.Role, ["digest"] = i.Digest }).ToArray()),
        };
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(identity.ToJsonString()));
        return Convert.ToHexStringLower(hash)[..Length];
    }
}
