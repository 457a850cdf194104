namespace Apriel.Api.V1Alpha1;

/// <summary>The API group and version every Apriel resource belongs to.</summary>
public static class ApiGroup
{
    /// <summary>The API group.</summary>
    public const string Group = "apriel.dev";

    /// <summary>The served and stored version.</summary>
    public const string Version = "v1alpha1";

    /// <summary><c>apiVersion</c> as written in manifests.</summary>
    public const string ApiVersion = Group + "/" + Version;
}
