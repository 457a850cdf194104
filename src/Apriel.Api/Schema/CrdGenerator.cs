using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Reflection;
using Apriel.Api.V1Alpha1;
using k8s.Models;

namespace Apriel.Api.Schema;

/// <summary>
/// Builds CustomResourceDefinitions from the attributed API types: OpenAPI v3 schema with descriptions (from
/// the XML docs), enums, bounds, patterns, required fields, defaults and CEL rules; the status subresource;
/// printer columns; short names. Pure: the same types and docs give the same CRD.
/// </summary>
public sealed class CrdGenerator(XmlDocs docs)
{
    /// <summary>The CRD of an entity type marked with <see cref="CustomResourceAttribute"/>.</summary>
    public V1CustomResourceDefinition Generate(Type entity)
    {
        var names = entity.GetCustomAttribute<CustomResourceAttribute>()
            ?? throw new ArgumentException($"{entity.Name} has no [CustomResource] attribute");
        var schema = ObjectSchema(entity);
        schema.Required = ["spec"];
        return new V1CustomResourceDefinition
        {
            ApiVersion = "apiextensions.k8s.io/v1",
            Kind = "CustomResourceDefinition",
            Metadata = new V1ObjectMeta { Name = $"{names.Plural}.{ApiGroup.Group}" },
            Spec = new V1CustomResourceDefinitionSpec
            {
                Group = ApiGroup.Group,
                Scope = "Namespaced",
                Names = new V1CustomResourceDefinitionNames
                {
                    Kind = names.Kind,
                    ListKind = names.Kind + "List",
                    Plural = names.Plural,
                    Singular = names.Kind.ToLowerInvariant(),
                    ShortNames = names.ShortNames,
                    Categories = names.Categories.Length > 0 ? names.Categories : null,
                },
                Versions =
                [
                    new V1CustomResourceDefinitionVersion
                    {
                        Name = ApiGroup.Version,
                        Served = true,
                        Storage = true,
                        Schema = new V1CustomResourceValidation { OpenAPIV3Schema = schema },
                        Subresources = new V1CustomResourceSubresources { Status = new object() },
                        AdditionalPrinterColumns = entity.GetCustomAttributes<PrinterColumnAttribute>()
                            .Select(c => new V1CustomResourceColumnDefinition
                            {
                                Name = c.Name, Type = c.Type, JsonPath = c.JsonPath, Description = c.Description,
                                Priority = c.Priority == 0 ? null : c.Priority,
                            }).ToList(),
                    },
                ],
            },
        };
    }

    V1JSONSchemaProps Schema(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type == typeof(V1ObjectMeta)) return new V1JSONSchemaProps { Type = "object" };
        if (type == typeof(string)) return new V1JSONSchemaProps { Type = "string" };
        if (type == typeof(bool)) return new V1JSONSchemaProps { Type = "boolean" };
        if (type == typeof(int)) return new V1JSONSchemaProps { Type = "integer", Format = "int32" };
        if (type == typeof(long)) return new V1JSONSchemaProps { Type = "integer", Format = "int64" };
        if (type == typeof(double)) return new V1JSONSchemaProps { Type = "number", Format = "double" };
        if (type == typeof(DateTime)) return new V1JSONSchemaProps { Type = "string", Format = "date-time" };
        if (type.IsEnum) return new V1JSONSchemaProps { Type = "string", EnumProperty = TypeModel.EnumNames(type).Cast<object>().ToList() };
        if (TypeModel.ListElement(type) is { } element) return new V1JSONSchemaProps { Type = "array", Items = Schema(element) };
        if (TypeModel.MapValue(type) is { } value) return new V1JSONSchemaProps { Type = "object", AdditionalProperties = Schema(value) };
        if (TypeModel.IsObject(type)) return ObjectSchema(type);
        throw new NotSupportedException($"No schema mapping for {type}");
    }

    V1JSONSchemaProps ObjectSchema(Type type)
    {
        var properties = TypeModel.Properties(type);
        var schema = new V1JSONSchemaProps
        {
            Type = "object",
            Description = docs.For(type),
            Properties = properties.ToDictionary(TypeModel.JsonName, Property),
        };
        var required = properties.Where(TypeModel.IsRequired).Select(TypeModel.JsonName).ToList();
        if (required.Count > 0) schema.Required = required;
        schema.XKubernetesValidations = Rules(type.GetCustomAttributes<CelRuleAttribute>(inherit: true));
        return schema;
    }

    V1JSONSchemaProps Property(PropertyInfo p)
    {
        var s = Schema(p.PropertyType);
        if (p.PropertyType == typeof(V1ObjectMeta)) return s; // API servers refuse anything but a bare object here
        s.Description = docs.For(p) ?? s.Description;
        if (p.GetCustomAttribute<DefaultValueAttribute>() is { } d)
            s.DefaultProperty = d.Value is Enum e ? e.ToString() : d.Value;
        else if (TypeModel.IsObject(p.PropertyType) && p.PropertyType != typeof(V1ObjectMeta)
                 && !TypeModel.IsRequired(p) && TypeModel.IsNonNullable(p))
            s.DefaultProperty = new Dictionary<string, object>(); // so the server applies the nested defaults
        if (p.GetCustomAttribute<RangeAttribute>() is { } r)
        {
            s.Minimum = Convert.ToDouble(r.Minimum);
            s.Maximum = Convert.ToDouble(r.Maximum);
            s.ExclusiveMinimum = r.MinimumIsExclusive ? true : null;
            s.ExclusiveMaximum = r.MaximumIsExclusive ? true : null;
        }
        if (p.GetCustomAttribute<MinimumAttribute>() is { } min)
        {
            s.Minimum = min.Value;
            s.ExclusiveMinimum = min.Exclusive ? true : null;
        }
        if (p.GetCustomAttribute<RegularExpressionAttribute>() is { } re) s.Pattern = re.Pattern;
        if (p.GetCustomAttribute<MinLengthAttribute>() is { } minLength)
            if (s.Type == "array") s.MinItems = minLength.Length; else s.MinLength = minLength.Length;
        if (p.GetCustomAttribute<MaxLengthAttribute>() is { } maxLength)
            if (s.Type == "array") s.MaxItems = maxLength.Length; else s.MaxLength = maxLength.Length;
        if (p.GetCustomAttribute<QuantityAttribute>() != null)
        {
            s.Type = null; // the structural-schema form of int-or-string, as controller-gen writes it
            s.AnyOf = [new V1JSONSchemaProps { Type = "integer" }, new V1JSONSchemaProps { Type = "string" }];
            s.XKubernetesIntOrString = true;
            s.Pattern = Quantity.Pattern;
        }
        var rules = Rules(p.GetCustomAttributes<CelRuleAttribute>());
        if (rules != null) s.XKubernetesValidations = [.. s.XKubernetesValidations ?? [], .. rules];
        return s;
    }

    static List<V1ValidationRule>? Rules(IEnumerable<CelRuleAttribute> rules)
    {
        var list = rules.Select(r => new V1ValidationRule { Rule = r.Rule, Message = r.Message }).ToList();
        return list.Count > 0 ? list : null;
    }
}
