using System.Text.Json.Nodes;
using Oci.Conformance.Framework;
using Oci.Conformance.Spec;
using Xunit;

namespace Oci.Conformance.Tests;

public class JsonSchemaTests
{
    private static readonly JsonSchema Schema = new(n => SpecSource.Embedded.Schema(n));

    private static List<string> State(string json) => Schema.Validate(JsonNode.Parse(json), "state-schema.json");

    [Fact]
    public void AValidStatePasses() =>
        Assert.Empty(State("""{"ociVersion":"1.3.0","id":"c1","status":"running","pid":42,"bundle":"/b","annotations":{"a":"b"}}"""));

    [Theory]
    [InlineData("""{"id":"c1","status":"running","bundle":"/b"}""", "required property `ociVersion`")]
    [InlineData("""{"ociVersion":"1.3.0","id":"c1","status":"paused","bundle":"/b"}""", "is not one of")]
    [InlineData("""{"ociVersion":"1.3.0","id":"c1","status":"created","pid":-1,"bundle":"/b"}""", "below the minimum")]
    [InlineData("""{"ociVersion":"1.3.0","id":"c1","status":"created","pid":1.5,"bundle":"/b"}""", "expected integer")]
    [InlineData("""{"ociVersion":"1.3.0","id":"c1","status":"created","bundle":"/b","annotations":{"a":1}}""", "$.annotations.a")]
    [InlineData("""{"ociVersion":"1.3.0","id":7,"status":"created","bundle":"/b"}""", "$.id: is number, expected string")]
    public void AnInvalidStateIsReported(string json, string expected) =>
        Assert.Contains(State(json), e => e.Contains(expected, StringComparison.Ordinal));

    [Fact]
    public void AnUnknownKeywordIsAnErrorNotAPass()
    {
        var s = new JsonSchema(n => n == "x.json" ? """{"type":"object","frobnicate":true}""" : null);
        Assert.Throws<NotSupportedException>(() => s.Validate(JsonNode.Parse("{}"), "x.json"));
    }
}
