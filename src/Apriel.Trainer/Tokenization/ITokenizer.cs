namespace Apriel.Trainer.Tokenization;

/// <summary>Text ↔ token ids for a model.</summary>
public interface ITokenizer
{
    int VocabSize { get; }

    int BosId { get; }

    int EosId { get; }

    int PadId { get; }

    /// <summary>Ordinary text: a special token's spelling (e.g. "[IMG]") in it is encoded as ordinary text.</summary>
    int[] Encode(string text);

    /// <summary>Like <see cref="Encode"/>, except that special-token spellings become their single ids.</summary>
    int[] EncodeWithSpecialTokens(string text);

    /// <summary>The text of <paramref name="ids"/>; special tokens are spelled out unless skipped.</summary>
    string Decode(IEnumerable<int> ids, bool skipSpecialTokens = false);

    /// <summary>The id of a special token spelled <paramref name="token"/>, or null.</summary>
    int? SpecialTokenId(string token);
}
