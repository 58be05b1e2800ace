using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Oci.Conformance.Framework;

/// <summary>
/// A small JSON Schema (draft-04) validator for the runtime-spec's own schemas, read from the spec embedded in the
/// suite. It knows the keywords those schemas use: $ref (within a file and across files), type, enum, minimum,
/// maximum, required, properties, patternProperties, additionalProperties, items, minItems, maxItems, uniqueItems,
/// pattern, minLength, allOf, anyOf, oneOf, not. An unknown keyword is an error, so that the validator never passes
/// a document by ignoring part of a schema.
/// </summary>
public sealed class JsonSchema
{
    private readonly Func<string, string?> _load;
    private readonly Dictionary<string, JsonNode> _files = new(StringComparer.Ordinal);

    public JsonSchema(Func<string, string?> load) => _load = load;

    private static readonly HashSet<string> Ignored = ["$schema", "description", "id", "title", "definitions", "default", "$id"];

    /// <summary>Validates <paramref name="doc"/> against schema file <paramref name="file"/>; returns the violations (empty if valid).</summary>
    public List<string> Validate(JsonNode? doc, string file)
    {
        var errors = new List<string>();
        Check(doc, File(file), file, "$", errors);
        return errors;
    }

    private JsonNode File(string name)
    {
        if (_files.TryGetValue(name, out var n)) return n;
        var text = _load(name) ?? throw new FileNotFoundException($"schema {name} is not in the suite");
        return _files[name] = JsonNode.Parse(text) ?? throw new FormatException($"schema {name} is empty");
    }

    private (JsonNode Schema, string File) Resolve(string reference, string currentFile)
    {
        int hash = reference.IndexOf('#');
        string file = hash == 0 ? currentFile : hash < 0 ? reference : reference[..hash];
        string pointer = hash < 0 ? "" : reference[(hash + 1)..];
        JsonNode? node = File(file);
        foreach (var part in pointer.Split('/', StringSplitOptions.RemoveEmptyEntries))
            node = node?[part.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal)];
        return (node ?? throw new FormatException($"unresolvable $ref {reference} in {currentFile}"), file);
    }

    private void Check(JsonNode? doc, JsonNode schemaNode, string file, string at, List<string> errors)
    {
        if (schemaNode is not JsonObject schema) return;
        if (schema["$ref"] is JsonValue rv)
        {
            var (target, targetFile) = Resolve(rv.GetValue<string>(), file);
            Check(doc, target, targetFile, at, errors);
            return;
        }
        foreach (var (key, value) in schema)
        {
            switch (key)
            {
                case var k when Ignored.Contains(k): break;
                case "type":
                    var types = value is JsonArray ta ? ta.Select(t => t!.GetValue<string>()).ToList() : [value!.GetValue<string>()];
                    if (!types.Any(t => IsType(doc, t))) errors.Add($"{at}: is {Kind(doc)}, expected {string.Join(" or ", types)}");
                    break;
                case "enum":
                    if (!value!.AsArray().Any(e => JsonNode.DeepEquals(e, doc))) errors.Add($"{at}: {Show(doc)} is not one of {value.ToJsonString()}");
                    break;
                case "minimum":
                    if (doc is JsonValue mv && mv.GetValueKind() == JsonValueKind.Number && mv.GetValue<double>() < value!.GetValue<double>())
                        errors.Add($"{at}: {Show(doc)} is below the minimum {value}");
                    break;
                case "maximum":
                    if (doc is JsonValue xv && xv.GetValueKind() == JsonValueKind.Number && xv.GetValue<double>() > value!.GetValue<double>())
                        errors.Add($"{at}: {Show(doc)} is above the maximum {value}");
                    break;
                case "required":
                    if (doc is JsonObject ro)
                        foreach (var r in value!.AsArray())
                            if (!ro.ContainsKey(r!.GetValue<string>())) errors.Add($"{at}: required property `{r}` is missing");
                    break;
                case "properties":
                case "patternProperties":
                case "additionalProperties":
                    break; // handled together below
                case "items":
                    if (doc is JsonArray ia)
                        for (int i = 0; i < ia.Count; i++) Check(ia[i], value!, file, $"{at}[{i}]", errors);
                    break;
                case "minItems":
                    if (doc is JsonArray mi && mi.Count < value!.GetValue<int>()) errors.Add($"{at}: fewer than {value} items");
                    break;
                case "maxItems":
                    if (doc is JsonArray mx && mx.Count > value!.GetValue<int>()) errors.Add($"{at}: more than {value} items");
                    break;
                case "uniqueItems":
                    if (doc is JsonArray ua && value!.GetValue<bool>() && ua.Select(x => x?.ToJsonString()).Distinct().Count() != ua.Count)
                        errors.Add($"{at}: items are not unique");
                    break;
                case "pattern":
                    if (doc is JsonValue pv && pv.GetValueKind() == JsonValueKind.String && !Regex.IsMatch(pv.GetValue<string>(), value!.GetValue<string>(), RegexOptions.CultureInvariant))
                        errors.Add($"{at}: {Show(doc)} does not match {value}");
                    break;
                case "minLength":
                    if (doc is JsonValue lv && lv.GetValueKind() == JsonValueKind.String && lv.GetValue<string>().Length < value!.GetValue<int>())
                        errors.Add($"{at}: shorter than {value}");
                    break;
                case "allOf":
                    foreach (var s in value!.AsArray()) Check(doc, s!, file, at, errors);
                    break;
                case "anyOf":
                case "oneOf":
                    int ok = value!.AsArray().Count(s => { var e = new List<string>(); Check(doc, s!, file, at, e); return e.Count == 0; });
                    if (key == "anyOf" ? ok == 0 : ok != 1) errors.Add($"{at}: {Show(doc)} matches {ok} of the {key} alternatives");
                    break;
                case "not":
                    var ne = new List<string>();
                    Check(doc, value!, file, at, ne);
                    if (ne.Count == 0) errors.Add($"{at}: {Show(doc)} matches a schema it must not match");
                    break;
                default:
                    throw new NotSupportedException($"schema keyword `{key}` ({file}) is not supported by the suite's validator");
            }
        }
        if (doc is JsonObject obj && (schema.ContainsKey("properties") || schema.ContainsKey("patternProperties") || schema.ContainsKey("additionalProperties")))
        {
            var props = schema["properties"] as JsonObject;
            var patterns = schema["patternProperties"] as JsonObject;
            foreach (var (name, child) in obj)
            {
                bool matched = false;
                if (props is not null && props[name] is { } ps) { Check(child, ps, file, $"{at}.{name}", errors); matched = true; }
                if (patterns is not null)
                    foreach (var (pattern, pschema) in patterns)
                        if (Regex.IsMatch(name, pattern, RegexOptions.CultureInvariant)) { Check(child, pschema!, file, $"{at}.{name}", errors); matched = true; }
                if (!matched && schema["additionalProperties"] is { } ap)
                {
                    if (ap is JsonValue bv && bv.GetValueKind() == JsonValueKind.False) errors.Add($"{at}: property `{name}` is not allowed");
                    else if (ap is JsonObject) Check(child, ap, file, $"{at}.{name}", errors);
                }
            }
        }
    }

    private static bool IsType(JsonNode? n, string type)
    {
        var kind = n is null ? JsonValueKind.Null : n.GetValueKind();
        return type switch
        {
            "null" => kind == JsonValueKind.Null,
            "boolean" => kind is JsonValueKind.True or JsonValueKind.False,
            "object" => kind == JsonValueKind.Object,
            "array" => kind == JsonValueKind.Array,
            "string" => kind == JsonValueKind.String,
            "number" => kind == JsonValueKind.Number,
            "integer" => kind == JsonValueKind.Number && n!.AsValue().TryGetValue<double>(out var d) && Math.Floor(d) == d,
            _ => throw new NotSupportedException($"schema type `{type}` is not supported"),
        };
    }

    private static string Kind(JsonNode? n) => n is null ? "null" : n.GetValueKind().ToString().ToLowerInvariant();
    private static string Show(JsonNode? n) => n is null ? "null" : Verify.Show(n.ToJsonString());
}
