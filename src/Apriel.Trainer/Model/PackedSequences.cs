using static TorchSharp.torch;

namespace Apriel.Trainer.Model;

/// <summary>
/// Several documents packed in one row: a document id per token [B, T] (each document one contiguous run, padding a
/// document of its own) gives each token's position within its document and the attention mask that keeps documents
/// apart.
/// </summary>
public static class PackedSequences
{
    /// <summary>Position of each token within its document, restarting at 0 where the id changes: [B, T] int64.</summary>
    public static Tensor Positions(Tensor documentIds)
    {
        using var scope = NewDisposeScope();
        long b = documentIds.shape[0], t = documentIds.shape[1];
        var index = arange(t, ScalarType.Int64, documentIds.device).expand(b, t);            // [B, T]
        var starts = ones(b, t, ScalarType.Bool, documentIds.device);                        // [B, T] true where a document starts
        if (t > 1)
        {
            starts[TensorIndex.Colon, TensorIndex.Slice(1)] =
                documentIds[TensorIndex.Colon, TensorIndex.Slice(1)] != documentIds[TensorIndex.Colon, TensorIndex.Slice(null, -1)];
        }
        var startIndex = where(starts, index, zeros_like(index)).cummax(1).values;           // [B, T] index of the current document's first token
        return (index - startIndex).MoveToOuterDisposeScope();
    }

    /// <summary>Causal attention within each document: [B, 1, T, T] bool, true where query i may read key j.</summary>
    public static Tensor CausalMask(Tensor documentIds)
    {
        using var scope = NewDisposeScope();
        var t = documentIds.shape[1];
        var same = documentIds.unsqueeze(2) == documentIds.unsqueeze(1);                      // [B, T, T]
        var causal = ones(t, t, ScalarType.Bool, documentIds.device).tril();                 // [T, T]
        return (same & causal).unsqueeze(1).MoveToOuterDisposeScope();                        // [B, 1, T, T]
    }
}
