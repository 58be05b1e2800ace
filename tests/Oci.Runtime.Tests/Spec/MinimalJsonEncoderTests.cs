using System.Text;
using System.Text.Json;
using FsCheck;
using FsCheck.Xunit;
using Oci.Runtime.Spec;
using Xunit;

namespace Oci.Runtime.Tests.Spec;

public class MinimalJsonEncoderTests
{
    static string Write(string value)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = MinimalJsonEncoder.Instance }))
            writer.WriteStringValue(value);
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    [Theory]
    [InlineData("plain", "\"plain\"")]
    [InlineData("a\"b\\c", "\"a\\\"b\\\\c\"")]
    [InlineData("line\nfeed\ttab\r", "\"line\\nfeed\\ttab\\r\"")]
    [InlineData("\u0001\u001f\u007f", "\"\\u0001\\u001F\\u007F\"")]
    [InlineData("<tag>&'+", "\"<tag>&'+\"")]
    [InlineData("héllo wörld 日本 🐳", "\"héllo wörld 日本 🐳\"")]
    public void EscapesOnlyWhatJsonRequires(string value, string expected) => Assert.Equal(expected, Write(value));

    [Property(MaxTest = 500)]
    public bool EveryStringRoundTrips(NonNull<string> value)
    {
        // Lone surrogates are not text: the writer replaces them, so compare with what UTF-8 can carry.
        string text = Encoding.UTF8.GetString(Encoding.UTF8.GetBytes(value.Get));
        return JsonSerializer.Deserialize<string>(Write(text)) == text;
    }

    [Property(MaxTest = 500)]
    public bool WritesWhatTheRelaxedEncoderWritesForPrintableText(NonNull<string> value)
    {
        string text = new(Encoding.UTF8.GetString(Encoding.UTF8.GetBytes(value.Get)).Where(c => c >= 0x20 && c != 0x7F).ToArray());
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
            writer.WriteStringValue(text);
        return Write(text) == Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
