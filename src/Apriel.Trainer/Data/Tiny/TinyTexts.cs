using System.Globalization;

namespace Apriel.Trainer.Data.Tiny;

/// <summary>
/// The tiny chain's texts, generated from a few templates: short documents about shapes, colours and numbers, and
/// arithmetic and counting problems with step-by-step reasoning (as plain text and as chat records with a <c>kind</c>).
/// </summary>
public static class TinyTexts
{
    private static readonly string[] Names = ["Ada", "Ben", "Cleo", "Dan", "Eva", "Finn", "Gus", "Hana"];
    private static readonly string[] Things = ["apples", "books", "cups", "stones", "shells", "coins", "cards", "pens"];
    private static readonly string[] Relations = ["left of", "right of", "above", "below", "next to"];
    private static readonly string[] NumberWords = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"];
    private static readonly string[] Words = ["circle", "square", "triangle", "purple", "orange", "yellow", "number", "answer", "seven", "shape"];

    /// <summary>A short document of 2–5 template sentences.</summary>
    public static string Document(Rng rng)
    {
        var sentences = Enumerable.Range(0, rng.Next(2, 5)).Select(_ => Sentence(rng));
        return string.Join(" ", sentences);
    }

    private static string Sentence(Rng rng)
    {
        int a = rng.Next(2, 9), b = rng.Next(1, 9);
        var name = rng.Pick(Names);
        var other = Names[(Array.IndexOf(Names, name) + rng.Next(1, Names.Length - 1)) % Names.Length];
        return rng.Next(6) switch
        {
            0 => $"The {rng.Pick(ShapeImages.Colours)} {rng.Pick(ShapeImages.Kinds)} is {rng.Pick(Relations)} the {rng.Pick(ShapeImages.Colours)} {rng.Pick(ShapeImages.Kinds)}.",
            1 => $"{name} has {NumberWords[a]} {rng.Pick(Things)}.",
            2 => $"{NumberWords[a]} and {NumberWords[b]} make {(a + b < NumberWords.Length ? NumberWords[a + b] : (a + b).ToString(CultureInfo.InvariantCulture))}.",
            3 => $"A {rng.Pick(ShapeImages.Kinds)} can be {rng.Pick(ShapeImages.Colours)} or {rng.Pick(ShapeImages.Colours)}.",
            4 => $"Count with me: {string.Join(", ", NumberWords.Skip(a).Take(3))}.",
            _ => $"{name} gave {a} {rng.Pick(Things)} to {other}.",
        };
    }

    /// <summary>A problem: its kind (for stratification), question, step-by-step reasoning and final answer.</summary>
    public sealed record Problem(string Kind, string Question, string Reasoning, string Answer);

    public static Problem ReasoningProblem(Rng rng) => rng.Next(5) switch
    {
        0 => Addition(rng),
        1 => Subtraction(rng),
        2 => Multiplication(rng),
        3 => Comparison(rng),
        _ => Counting(rng),
    };

    /// <summary>An addition, subtraction or multiplication word problem with single-digit operands (a final answer that is one number).</summary>
    public static Problem ArithmeticProblem(Rng rng) => rng.Next(3) switch
    {
        0 => Addition(rng),
        1 => Subtraction(rng),
        _ => Multiplication(rng),
    };

    /// <summary>The problem as a plain-text document (the CPT data's "reasoning text").</summary>
    public static string AsText(Problem p) => $"Question: {p.Question}\nReasoning: {p.Reasoning}\nAnswer: {p.Answer}";

    // Arithmetic word problems with single-digit operands: small enough for the tiny model to learn within the SFT stage.
    // The names and things make the questions many (so held-out ones exist); the facts are the same few.
    private static Problem Addition(Rng rng)
    {
        int a = rng.Next(1, 9), b = rng.Next(1, 9);
        var (name, thing) = (rng.Pick(Names), rng.Pick(Things));
        return new Problem("addition", $"{name} has {a} {thing} and gets {b} more. How many {thing} does {name} have now?",
            $"{name} gets more, so add: {a} + {b} = {a + b}.", I(a + b));
    }

    private static Problem Subtraction(Rng rng)
    {
        int a = rng.Next(2, 9), b = rng.Next(1, a);
        var (name, thing) = (rng.Pick(Names), rng.Pick(Things));
        return new Problem("subtraction", $"{name} has {a} {thing} and gives away {b}. How many {thing} does {name} have left?",
            $"{name} gives some away, so subtract: {a} - {b} = {a - b}.", I(a - b));
    }

    private static Problem Multiplication(Rng rng)
    {
        int a = rng.Next(2, 9), b = rng.Next(2, 9);
        var (name, thing) = (rng.Pick(Names), rng.Pick(Things));
        return new Problem("multiplication", $"{name} has {a} bags of {b} {thing}. How many {thing} does {name} have?",
            $"{a} bags of {b}, so multiply: {a} x {b} = {a * b}.", I(a * b));
    }

    private static Problem Comparison(Rng rng)
    {
        int a = rng.Next(10, 999), b = rng.Next(10, 999);
        if (a == b) b++;
        var larger = Math.Max(a, b);
        var reason = a.ToString(CultureInfo.InvariantCulture).Length != b.ToString(CultureInfo.InvariantCulture).Length
            ? $"{larger} has more digits."
            : $"Both have {I(a).Length} digits. Compare from the left: {larger} has the larger digit first.";
        return new Problem("comparison", $"Which is larger, {a} or {b}?", reason + $" So {larger} is larger.", I(larger));
    }

    private static Problem Counting(Rng rng)
    {
        var word = rng.Pick(Words);
        var letter = word[rng.Next(word.Length)];
        var marks = word.Select(c => c == letter ? c.ToString().ToUpperInvariant() : c.ToString());
        var count = word.Count(c => c == letter);
        return new Problem("counting", $"How many times does '{letter}' appear in '{word}'?",
            $"Spell it: {string.Join(" ", marks)}. The capitals are the '{letter}'s: {count}.", I(count));
    }

    private static string I(int x) => x.ToString(CultureInfo.InvariantCulture);
}
