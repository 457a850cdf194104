using Apriel.Api.V1Alpha1;

namespace Apriel.Operator.Status;

/// <summary>Condition types and reasons (CamelCase, as Kubernetes API conventions ask).</summary>
public static class ConditionTypes
{
    /// <summary>The spec is valid and the resource is progressing or done; False names the problem.</summary>
    public const string Ready = "Ready";

    /// <summary>Every resource this one references has succeeded; False says which are awaited.</summary>
    public const string DependenciesReady = "DependenciesReady";

    /// <summary>A trainer or merge pod of the current run is running.</summary>
    public const string Running = "Running";

    /// <summary>The current run's output is committed.</summary>
    public const string Succeeded = "Succeeded";

    /// <summary>The current run failed for good (retry limit reached or an invalid spec).</summary>
    public const string Failed = "Failed";
}

/// <summary>Setting conditions the way <c>meta.SetStatusCondition</c> does: the transition time moves only when the status does.</summary>
public static class Conditions
{
    /// <summary>
    /// Returns <paramref name="conditions"/> with <paramref name="type"/> set. An unchanged status keeps its
    /// lastTransitionTime; reason, message and observedGeneration are always refreshed.
    /// </summary>
    public static List<Condition> Set(IReadOnlyList<Condition>? conditions, string type, bool status, string reason, string message,
        long? generation, DateTime now)
    {
        var value = status ? "True" : "False";
        var list = conditions?.ToList() ?? [];
        var i = list.FindIndex(c => c.Type == type);
        var transition = i >= 0 && list[i].Status == value ? list[i].LastTransitionTime : now;
        var condition = new Condition
        {
            Type = type, Status = value, Reason = reason, Message = message, ObservedGeneration = generation, LastTransitionTime = transition,
        };
        if (i >= 0) list[i] = condition;
        else list.Add(condition);
        return list;
    }

    /// <summary>The condition of a type, or null.</summary>
    public static Condition? Find(IReadOnlyList<Condition>? conditions, string type) => conditions?.FirstOrDefault(c => c.Type == type);

    /// <summary>Whether the condition is present and True.</summary>
    public static bool IsTrue(IReadOnlyList<Condition>? conditions, string type) => Find(conditions, type)?.Status == "True";
}
