using System.Text.Json;
using System.Text.Json.Serialization;

namespace Apriel.Api.Manifests;

/// <summary>The JSON wire format of the API types: camelCase, nulls omitted, enums as their names.</summary>
public static class ApiJson
{
    /// <summary>Serializer options matching the Kubernetes client's conventions.</summary>
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        PropertyNameCaseInsensitive = false,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        WriteIndented = false,
    };
}
