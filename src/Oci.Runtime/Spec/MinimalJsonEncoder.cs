using System.Text.Encodings.Web;

namespace Oci.Runtime.Spec;

/// <summary>
/// A JSON string encoder that escapes only what JSON requires: the quotation mark, the reverse solidus and the
/// control characters U+0000 to U+001F (and DEL). Everything else, non-ASCII text and <c>+ &lt; &gt; &amp; '</c>
/// included, is written as itself, as <see cref="JavaScriptEncoder.UnsafeRelaxedJsonEscaping"/> does: the runtime's
/// documents (config.json, state, log lines) are never embedded in HTML.
/// </summary>
/// <remarks>
/// The built-in encoders build a table of allowed characters the first time they are used, one character at a time
/// over the whole Basic Multilingual Plane for the relaxed one; that alone cost a short-lived command such as
/// <c>state</c> a noticeable share of its CPU. This one needs no table.
/// </remarks>
internal sealed class MinimalJsonEncoder : JavaScriptEncoder
{
    /// <summary>The encoder.</summary>
    public static MinimalJsonEncoder Instance { get; } = new();

    MinimalJsonEncoder() { }

    /// <inheritdoc/>
    public override int MaxOutputCharactersPerInputCharacter => 12; // a surrogate pair as two \uXXXX escapes

    /// <inheritdoc/>
    public override bool WillEncode(int unicodeScalar) =>
        unicodeScalar < 0x20 || unicodeScalar is '"' or '\\' or 0x7F
        || (unicodeScalar is >= 0xD800 and <= 0xDFFF); // a lone surrogate cannot be written as UTF-8

    /// <inheritdoc/>
    public override unsafe int FindFirstCharacterToEncode(char* text, int textLength)
    {
        for (int i = 0; i < textLength; i++)
        {
            char c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < textLength && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
                continue;
            }
            if (WillEncode(c)) return i;
        }
        return -1;
    }

    /// <inheritdoc/>
    public override int FindFirstCharacterToEncodeUtf8(ReadOnlySpan<byte> utf8Text)
    {
        // Multi-byte UTF-8 sequences never contain bytes below 0x80: only ASCII needs a look, and invalid UTF-8 is
        // left to the writer, which validates its input.
        for (int i = 0; i < utf8Text.Length; i++)
        {
            byte b = utf8Text[i];
            if (b < 0x20 || b is (byte)'"' or (byte)'\\' or 0x7F) return i;
            if (b >= 0x80)
            {
                var status = System.Text.Rune.DecodeFromUtf8(utf8Text[i..], out _, out int length);
                if (status != System.Buffers.OperationStatus.Done) return i;
                i += length - 1;
            }
        }
        return -1;
    }

    /// <inheritdoc/>
    public override unsafe bool TryEncodeUnicodeScalar(int unicodeScalar, char* buffer, int bufferLength, out int numberOfCharactersWritten)
    {
        if (!WillEncode(unicodeScalar))
        {
            if (unicodeScalar <= 0xFFFF)
            {
                if (bufferLength < 1) return Fail(out numberOfCharactersWritten);
                buffer[0] = (char)unicodeScalar;
                numberOfCharactersWritten = 1;
                return true;
            }
            if (bufferLength < 2) return Fail(out numberOfCharactersWritten);
            var rune = new System.Text.Rune(unicodeScalar);
            rune.EncodeToUtf16(new Span<char>(buffer, 2));
            numberOfCharactersWritten = 2;
            return true;
        }
        char shortForm = unicodeScalar switch
        {
            '"' => '"',
            '\\' => '\\',
            '\n' => 'n',
            '\r' => 'r',
            '\t' => 't',
            '\b' => 'b',
            '\f' => 'f',
            _ => '\0',
        };
        if (shortForm != '\0')
        {
            if (bufferLength < 2) return Fail(out numberOfCharactersWritten);
            buffer[0] = '\\';
            buffer[1] = shortForm;
            numberOfCharactersWritten = 2;
            return true;
        }
        if (bufferLength < 6) return Fail(out numberOfCharactersWritten);
        buffer[0] = '\\';
        buffer[1] = 'u';
        const string hex = "0123456789ABCDEF";
        buffer[2] = hex[(unicodeScalar >> 12) & 0xF];
        buffer[3] = hex[(unicodeScalar >> 8) & 0xF];
        buffer[4] = hex[(unicodeScalar >> 4) & 0xF];
        buffer[5] = hex[unicodeScalar & 0xF];
        numberOfCharactersWritten = 6;
        return true;
    }

    static bool Fail(out int written)
    {
        written = 0;
        return false;
    }
}
