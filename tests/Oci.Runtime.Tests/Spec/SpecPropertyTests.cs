using System.Text;
using System.Text.Json.Nodes;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Oci.Runtime.Spec;
using Xunit;

namespace Oci.Runtime.Tests.Spec;

/// <summary>Properties of the loader over generated documents.</summary>
public class SpecPropertyTests
{
    // FsCheck drives the seed, so a failure reports a seed that reproduces it.
    private static readonly Gen<int> Seeds = Gen.Choose(0, int.MaxValue);

    [Property(MaxTest = 300)]
    public Property AnySpecRoundTripsThroughSerializeAndParse() =>
        Prop.ForAll(Seeds.ToArbitrary(), seed =>
        {
            RuntimeSpec spec = RandomSpecs.Build(new Random(seed), valid: false);
            byte[] first = SpecLoader.Serialize(spec);
            byte[] second = SpecLoader.Serialize(SpecLoader.ParseUnvalidated(first));
            return JsonAssert.Difference(JsonNode.Parse(first), JsonNode.Parse(second), "$") is null;
        });

    [Property(MaxTest = 300)]
    public Property ValidSpecsPassValidationAndRoundTrip() =>
        Prop.ForAll(Seeds.ToArbitrary(), seed =>
        {
            RuntimeSpec spec = RandomSpecs.Build(new Random(seed), valid: true);
            byte[] first = SpecLoader.Serialize(spec);
            RuntimeSpec parsed = SpecLoader.Parse(first); // validates
            Assert.DoesNotContain(SpecValidator.Check(parsed), p => !p.IsWarning);
            return JsonAssert.Difference(JsonNode.Parse(first), JsonNode.Parse(SpecLoader.Serialize(parsed)), "$") is null;
        });

    [Property(MaxTest = 500)]
    public Property ArbitraryBytesOnlyEverFailAsSpecValidation() =>
        Prop.ForAll(Gen.ArrayOf(Gen.Choose(0, 255).Select(b => (byte)b)).ToArbitrary(), bytes => OnlySpecErrors(bytes));

    [Property(MaxTest = 500)]
    public Property MutatedValidJsonOnlyEverFailsAsSpecValidation() =>
        Prop.ForAll(Gen.Zip(Gen.Elements(ValidDocuments()), Seeds).ToArbitrary(), input =>
        {
            var (doc, seed) = input;
            var r = new Random(seed);
            byte[] bytes = (byte[])doc.Clone();
            int edits = r.Next(1, 4);
            for (int i = 0; i < edits; i++) bytes = MutateBytes(r, bytes);
            return OnlySpecErrors(bytes);
        });

    [Property(MaxTest = 500)]
    public Property ValuesReplacedByOtherJsonOnlyEverFailAsSpecValidation() =>
        Prop.ForAll(Gen.Zip(Gen.Elements(ValidDocuments()), Seeds).ToArbitrary(), input =>
        {
            var (doc, seed) = input;
            var r = new Random(seed);
            JsonNode root = JsonNode.Parse(doc)!;
            var nodes = RandomSpecs.Nodes(root);
            JsonNode target = nodes[r.Next(nodes.Count)];
            JsonNode? replacement = RandomSpecs.AnyJson(r);
            switch (target.Parent)
            {
                case JsonObject o: o[target.GetPropertyName()] = replacement; break;
                case JsonArray a: a[target.GetElementIndex()] = replacement; break;
                default: root = replacement ?? JsonValue.Create(0); break;
            }
            return OnlySpecErrors(Encoding.UTF8.GetBytes(root.ToJsonString()));
        });

    private static bool OnlySpecErrors(byte[] bytes)
    {
        try { SpecLoader.Parse(bytes); }
        catch (SpecValidationException e) { Assert.False(string.IsNullOrEmpty(e.Message)); }
        try { SpecLoader.ParseState(bytes); } catch (SpecValidationException) { }
        try { SpecLoader.ParseFeatures(bytes); } catch (SpecValidationException) { }
        return true; // any other exception fails the property
    }

    private static byte[][] ValidDocuments()
    {
        var docs = new List<byte[]> { Encoding.UTF8.GetBytes(SpecDocuments.ValidLinuxConfig) };
        foreach (string kind in new[] { "config", "features", "state" })
            docs.AddRange(Directory.GetFiles(TestPaths.SchemaTests(kind, "good"), "*.json").Order(StringComparer.Ordinal).Select(File.ReadAllBytes));
        return [.. docs];
    }

    private static byte[] MutateBytes(Random r, byte[] bytes)
    {
        if (bytes.Length == 0) return [(byte)r.Next(256)];
        int at = r.Next(bytes.Length);
        byte[] tokens = "{}[]:,\"-0123456789.eEtfn \\"u8.ToArray();
        switch (r.Next(4))
        {
            case 0: bytes[at] = tokens[r.Next(tokens.Length)]; return bytes;
            case 1: bytes[at] = (byte)r.Next(256); return bytes;
            case 2: return [.. bytes[..at], .. bytes[Math.Min(bytes.Length, at + r.Next(1, 20))..]];
            default: return [.. bytes[..at], tokens[r.Next(tokens.Length)], .. bytes[at..]];
        }
    }

}
