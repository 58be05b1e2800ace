using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Xunit;

namespace Oci.Runtime.Tests.Spec;

/// <summary>Compares JSON documents as trees: object member order does not matter, numbers compare by value.</summary>
internal static class JsonAssert
{
    public static void Equivalent(string expected, string actual)
    {
        JsonNode? e = JsonNode.Parse(expected), a = JsonNode.Parse(actual);
        string? difference = Difference(e, a, "$");
        Assert.True(difference is null, $"{difference}\nexpected:\n{expected}\nactual:\n{actual}");
    }

    public static bool AreEquivalent(JsonNode? expected, JsonNode? actual) => Difference(expected, actual, "$") is null;

    /// <summary>The path of the first difference, or null when the trees are equivalent.</summary>
    public static string? Difference(JsonNode? expected, JsonNode? actual, string path)
    {
        if (expected is null || actual is null)
            return expected is null && actual is null ? null : $"{path}: {Show(expected)} != {Show(actual)}";
        switch (expected)
        {
            case JsonObject eo:
                if (actual is not JsonObject ao) return $"{path}: object != {Show(actual)}";
                foreach (var (key, value) in eo)
                {
                    if (!ao.TryGetPropertyValue(key, out JsonNode? other)) return $"{path}.{key}: missing";
                    if (Difference(value, other, $"{path}.{key}") is { } d) return d;
                }
                foreach (var (key, _) in ao)
                    if (!eo.ContainsKey(key)) return $"{path}.{key}: unexpected";
                return null;
            case JsonArray ea:
                if (actual is not JsonArray aa) return $"{path}: array != {Show(actual)}";
                if (ea.Count != aa.Count) return $"{path}: {ea.Count} items != {aa.Count} items";
                for (int i = 0; i < ea.Count; i++)
                    if (Difference(ea[i], aa[i], $"{path}[{i}]") is { } d) return d;
                return null;
            default:
                JsonValueKind ek = expected.GetValueKind(), ak = actual.GetValueKind();
                if (ek != ak) return $"{path}: {ek} != {ak}";
                if (ek == JsonValueKind.Number)
                {
                    string es = expected.ToJsonString(), @as = actual.ToJsonString();
                    if (decimal.TryParse(es, NumberStyles.Float, CultureInfo.InvariantCulture, out decimal ed)
                        && decimal.TryParse(@as, NumberStyles.Float, CultureInfo.InvariantCulture, out decimal ad))
                        return ed == ad ? null : $"{path}: {es} != {@as}";
                    return es == @as ? null : $"{path}: {es} != {@as}";
                }
                if (ek == JsonValueKind.String)
                    return expected.GetValue<string>() == actual.GetValue<string>() ? null : $"{path}: {Show(expected)} != {Show(actual)}";
                return null; // true, false, null: equal kinds are equal values
        }
    }

    private static string Show(JsonNode? n) => n is null ? "null" : n.ToJsonString();
}
