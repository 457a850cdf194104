using System.Text;

namespace Apriel.Trainer.Tokenization;

/// <summary>
/// Builds decoded text from a mix of raw bytes (byte-level tokens, which may split a UTF-8 character) and whole
/// strings (special tokens, words): bytes are buffered and decoded together before each string.
/// </summary>
internal sealed class Utf8TextBuilder
{
    readonly StringBuilder _text = new();
    readonly List<byte> _bytes = [];

    public void AppendByte(byte b) => _bytes.Add(b);

    public void AppendText(string text)
    {
        Flush();
        _text.Append(text);
    }

    public override string ToString()
    {
        Flush();
        return _text.ToString();
    }

    void Flush()
    {
        if (_bytes.Count == 0) return;
        _text.Append(Encoding.UTF8.GetString(_bytes.ToArray()));
        _bytes.Clear();
    }
}
