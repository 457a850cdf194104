namespace Apriel.Trainer.Merging;

/// <summary>A merge whose inputs or task cannot be merged; the message names the input (or field) and the reason.</summary>
public sealed class MergeInputException(string message) : Exception(message);
