using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Oci.Runtime.Spec;

// The hand-written spec reader (see SpecReader.cs for why it exists instead of the serializer's metadata): the cursor
// over the document, the primitives every part of the model uses (strings, numbers, lists, dictionaries, unknown
// properties), and the errors, worded as SpecLoader words the serializer's.
internal static partial class SpecReader
{
    // The serializer's reader options for SpecJsonContext: comments and trailing commas rejected, depth 64.
    private static readonly JsonReaderOptions ReaderOptions = new()
    {
        CommentHandling = JsonCommentHandling.Disallow,
        AllowTrailingCommas = false,
        MaxDepth = 64,
    };

    // What a value of each CLR type must be, as SpecLoader describes the type the serializer names.
    private const string AString = "a string";
    private const string ABoolean = "a boolean";
    private const string AnUInt16 = "an integer from 0 to 65535 (uint16)";
    private const string AnUInt32 = "an integer from 0 to 4294967295 (uint32)";
    private const string AnUInt64 = "an integer from 0 to 18446744073709551615 (uint64)";
    private const string AnInt32 = "an integer from -2147483648 to 2147483647 (int32)";
    private const string AnInt64 = "an integer from -9223372036854775808 to 9223372036854775807 (int64)";
    private const string AnArray = "an array";
    private const string AnObject = "an object";

    /// <summary>Property names the serializer writes as <c>['name']</c> in a path rather than <c>.name</c>.</summary>
    private static readonly SearchValues<char> NeedsBrackets = SearchValues.Create(". '/\"[]()\t\n\r\f\b\\\u0085\u2028\u2029");

    /// <summary>A position in the document: the reader, and the path of the value being read, kept as the
    /// serializer keeps it so that errors name the same value.</summary>
    private ref struct Cursor
    {
        public Utf8JsonReader Reader;
        private readonly ReadOnlySpan<byte> input;
        private readonly PathStack path;
        // The unescaped name of the current property of an object.
        private ReadOnlySpan<byte> name;

        public Cursor(ReadOnlySpan<byte> utf8Json)
        {
            input = utf8Json;
            Reader = new Utf8JsonReader(utf8Json, ReaderOptions);
            path = new PathStack();
            name = default;
        }

        public readonly JsonTokenType TokenType => Reader.TokenType;

        public readonly bool IsNull => Reader.TokenType == JsonTokenType.Null;

        /// <summary>Moves to the next token. Malformed JSON throws <see cref="JsonException"/>, which
        /// <see cref="ReadDocument{T}"/> turns into an error at the path of that moment.</summary>
        public void Read() => Reader.Read();

        /// <summary>After the document's value: whitespace only (the reader throws on anything else).</summary>
        public void ReadEndOfDocument() => Reader.Read();

        // ---- Objects ----

        /// <summary>At the first token of an object-typed value: false for null, true for an object, an error for
        /// anything else.</summary>
        public readonly bool StartObject() => Reader.TokenType switch
        {
            JsonTokenType.StartObject => true,
            JsonTokenType.Null => false,
            _ => throw TypeError(AnObject),
        };

        /// <summary>Moves to the next property of the object: false at its end. The name is unescaped as the
        /// serializer unescapes it (surrogate escapes checked, UTF-8 not).</summary>
        public bool NextProperty()
        {
            Reader.Read();
            if (Reader.TokenType == JsonTokenType.EndObject) return false;
            if (!Reader.ValueIsEscaped)
            {
                name = Reader.ValueSpan;
                return true;
            }
            // The serializer fails to read such a name as a failure to convert the object it belongs to.
            name = Unescape(Reader.ValueSpan) ?? throw TypeError(AnObject);
            return true;
        }

        /// <summary>Whether the current property is <paramref name="jsonName"/>; if so, moves to its value.</summary>
        public bool Property(string jsonName)
        {
            if (!AsciiEquals(name, jsonName)) return false;
            path.Push(jsonName);
            Reader.Read();
            return true;
        }

        /// <summary>Keeps the current property, which the model does not know, in <paramref name="extensions"/>
        /// (created when null), as <c>[JsonExtensionData]</c> does: a standalone element, the last duplicate
        /// winning in the place of the first.</summary>
        public Dictionary<string, JsonElement> Unknown(Dictionary<string, JsonElement>? extensions)
        {
            // As the serializer: invalid UTF-8 in the name becomes U+FFFD rather than an error.
            string key = Encoding.UTF8.GetString(name);
            path.Push(key);
            Reader.Read();
            extensions ??= new Dictionary<string, JsonElement>();
            extensions[key] = JsonElement.ParseValue(ref Reader);
            return extensions;
        }

        /// <summary>Passes over the current value, as the serializer passes over a property it ignores.</summary>
        public void Skip() => Reader.Skip();

        /// <summary>After a property's value.</summary>
        public readonly void EndProperty() => path.Pop();

        // ---- Strings ----

        /// <summary>A string property that may be null.</summary>
        public readonly string? NullableString() => IsNull ? null : StringValue();

        /// <summary>A string property that must not be null.</summary>
        public readonly string String() => IsNull ? throw NullError() : StringValue();

        private readonly string StringValue()
        {
            if (Reader.TokenType != JsonTokenType.String) throw TypeError(AString);
            try
            {
                return Reader.GetString()!;
            }
            catch (InvalidOperationException)
            {
                // Invalid UTF-8 or a lone surrogate escape.
                throw TypeError(AString);
            }
        }

        // ---- Booleans and numbers: the reader's own parsing, as the serializer's converters use it ----

        public readonly bool Bool() => Reader.TokenType switch
        {
            JsonTokenType.True => true,
            JsonTokenType.False => false,
            _ => throw TypeError(ABoolean),
        };

        public readonly bool? NullableBool() => IsNull ? null : Bool();

        public readonly ushort? NullableUInt16() =>
            IsNull ? null
            : Reader.TokenType == JsonTokenType.Number && Reader.TryGetUInt16(out ushort value) ? value
            : throw TypeError(AnUInt16);

        public readonly uint UInt32() =>
            Reader.TokenType == JsonTokenType.Number && Reader.TryGetUInt32(out uint value) ? value : throw TypeError(AnUInt32);

        public readonly uint? NullableUInt32() => IsNull ? null : UInt32();

        public readonly ulong UInt64() =>
            Reader.TokenType == JsonTokenType.Number && Reader.TryGetUInt64(out ulong value) ? value : throw TypeError(AnUInt64);

        public readonly ulong? NullableUInt64() => IsNull ? null : UInt64();

        public readonly int Int32() =>
            Reader.TokenType == JsonTokenType.Number && Reader.TryGetInt32(out int value) ? value : throw TypeError(AnInt32);

        public readonly int? NullableInt32() => IsNull ? null : Int32();

        public readonly long Int64() =>
            Reader.TokenType == JsonTokenType.Number && Reader.TryGetInt64(out long value) ? value : throw TypeError(AnInt64);

        public readonly long? NullableInt64() => IsNull ? null : Int64();

        // ---- Lists and dictionaries ----
        // The serializer does not apply nullability annotations to elements: a null element or dictionary value of
        // a reference type is kept as null.

        /// <summary>A <c>List&lt;string&gt;</c> property that may be null.</summary>
        public List<string>? StringList()
        {
            if (IsNull) return null;
            if (Reader.TokenType != JsonTokenType.StartArray) throw TypeError(AnArray);
            var list = new List<string>();
            path.PushIndex();
            while (true)
            {
                Reader.Read();
                if (Reader.TokenType == JsonTokenType.EndArray) break;
                list.Add(IsNull ? null! : StringValue());
                path.SetIndex(list.Count);
            }
            path.Pop();
            return list;
        }

        /// <summary>A <c>List&lt;string&gt;</c> property that must not be null.</summary>
        public List<string> RequiredStringList() => IsNull ? throw NullError() : StringList()!;

        /// <summary>A <c>List&lt;uint&gt;</c> property that may be null.</summary>
        public List<uint>? UInt32List()
        {
            if (IsNull) return null;
            if (Reader.TokenType != JsonTokenType.StartArray) throw TypeError(AnArray);
            var list = new List<uint>();
            path.PushIndex();
            while (true)
            {
                Reader.Read();
                if (Reader.TokenType == JsonTokenType.EndArray) break;
                list.Add(UInt32());
                path.SetIndex(list.Count);
            }
            path.Pop();
            return list;
        }

        /// <summary>A list of objects that may be null.</summary>
        public List<T>? ObjectList<T>(ReadFn<T> read) where T : class
        {
            if (IsNull) return null;
            if (Reader.TokenType != JsonTokenType.StartArray) throw TypeError(AnArray);
            var list = new List<T>();
            path.PushIndex();
            while (true)
            {
                Reader.Read();
                if (Reader.TokenType == JsonTokenType.EndArray) break;
                list.Add(read(ref this)!);
                path.SetIndex(list.Count);
            }
            path.Pop();
            return list;
        }

        /// <summary>A <c>Dictionary&lt;string, string&gt;</c> that may be null.</summary>
        public Dictionary<string, string>? StringMap()
        {
            if (IsNull) return null;
            if (Reader.TokenType != JsonTokenType.StartObject) throw TypeError(AnObject);
            var map = new Dictionary<string, string>();
            path.Push(null);
            while (true)
            {
                Reader.Read();
                if (Reader.TokenType == JsonTokenType.EndObject) break;
                string key = Key();
                Reader.Read();
                map[key] = IsNull ? null! : StringValue();
            }
            path.Pop();
            return map;
        }

        /// <summary>A dictionary of objects that may be null.</summary>
        public Dictionary<string, T>? ObjectMap<T>(ReadFn<T> read) where T : class
        {
            if (IsNull) return null;
            if (Reader.TokenType != JsonTokenType.StartObject) throw TypeError(AnObject);
            var map = new Dictionary<string, T>();
            path.Push(null);
            while (true)
            {
                Reader.Read();
                if (Reader.TokenType == JsonTokenType.EndObject) break;
                string key = Key();
                Reader.Read();
                map[key] = read(ref this)!;
            }
            path.Pop();
            return map;
        }

        /// <summary>The key of a dictionary entry. As in the serializer, the path goes on naming the previous key
        /// until this one is read, and it keeps naming this one after its value (until the next key).</summary>
        private readonly string Key()
        {
            string key;
            try
            {
                key = Reader.GetString()!;
            }
            catch (InvalidOperationException)
            {
                throw TypeError(AString);
            }
            path.SetName(key);
            return key;
        }

        // ---- Errors ----

        /// <summary>The value at the cursor does not convert to the type the model has for it.</summary>
        public readonly SpecValidationException TypeError(string expected) =>
            new(path.ToString(), $"expected {expected}{Where(Reader.BytesConsumed)}");

        /// <summary>The value of the current property is null, which its type does not allow.</summary>
        public readonly SpecValidationException NullError() => new(path.ToString(), "must not be null");

        /// <summary>At the end of an object: required properties are missing (the names are those of the missing
        /// ones in declaration order, nulls for those present).</summary>
        public readonly SpecValidationException Missing(params string?[] names)
        {
            var missing = new List<string>(names.Length);
            foreach (string? n in names)
                if (n is not null) missing.Add(n);
            string extra = missing.Count > 1 ? $" (also missing: {string.Join(", ", missing.GetRange(1, missing.Count - 1))})" : "";
            return new(SpecPath.Property(path.ToString(), missing[0]), $"required property is missing{extra}");
        }

        /// <summary>The document is not well-formed JSON: the reader's words, at the path of the moment.</summary>
        public readonly SpecValidationException Malformed(JsonException e)
        {
            string where = e.LineNumber is long line
                ? string.Create(CultureInfo.InvariantCulture, $" (line {line + 1}, column {(e.BytePositionInLine ?? 0) + 1})")
                : "";
            return new(path.ToString(), $"malformed JSON: {StripLocation(e.Message)}{where}");
        }

        /// <summary>Line and column (1-based, column in bytes) after the first <paramref name="consumed"/> bytes, as
        /// the reader counts them (only line feeds end a line).</summary>
        private readonly string Where(long consumed)
        {
            ReadOnlySpan<byte> before = input[..(int)consumed];
            int line = before.Count((byte)'\n');
            long column = consumed - (before.LastIndexOf((byte)'\n') + 1);
            return string.Create(CultureInfo.InvariantCulture, $" (line {line + 1}, column {column + 1})");
        }
    }

    /// <summary>The reader's message without its " LineNumber: ... | BytePositionInLine: ..." tail.</summary>
    private static string StripLocation(string message)
    {
        int i = message.IndexOf(" Path: ", StringComparison.Ordinal);
        if (i < 0) i = message.IndexOf(" LineNumber: ", StringComparison.Ordinal);
        return (i >= 0 ? message[..i] : message).TrimEnd();
    }

    private static bool AsciiEquals(ReadOnlySpan<byte> utf8, string ascii)
    {
        if (utf8.Length != ascii.Length) return false;
        for (int i = 0; i < utf8.Length; i++)
            if (utf8[i] != ascii[i]) return false;
        return true;
    }

    /// <summary>Unescapes a property name as the serializer does (JsonReaderHelper.TryUnescape): the reader has
    /// checked the escapes' syntax; a high surrogate escape must be followed by a low one and a low one must not
    /// come alone (null then). Raw bytes are copied unchecked.</summary>
    private static byte[]? Unescape(ReadOnlySpan<byte> escaped)
    {
        // Never longer than the escaped form: \uXXXX (6 bytes) gives at most 3, a surrogate pair (12) gives 4.
        var buffer = new byte[escaped.Length];
        int written = 0;
        for (int i = 0; i < escaped.Length; i++)
        {
            byte b = escaped[i];
            if (b != (byte)'\\')
            {
                buffer[written++] = b;
                continue;
            }
            b = escaped[++i];
            switch (b)
            {
                case (byte)'n': buffer[written++] = (byte)'\n'; break;
                case (byte)'r': buffer[written++] = (byte)'\r'; break;
                case (byte)'t': buffer[written++] = (byte)'\t'; break;
                case (byte)'b': buffer[written++] = (byte)'\b'; break;
                case (byte)'f': buffer[written++] = (byte)'\f'; break;
                case (byte)'u':
                    int scalar = Hex4(escaped.Slice(i + 1, 4));
                    i += 4;
                    if (scalar is >= 0xD800 and <= 0xDFFF)
                    {
                        if (scalar >= 0xDC00) return null;
                        if (escaped.Length < i + 7 || escaped[i + 1] != (byte)'\\' || escaped[i + 2] != (byte)'u') return null;
                        int low = Hex4(escaped.Slice(i + 3, 4));
                        i += 6;
                        if (low is < 0xDC00 or > 0xDFFF) return null;
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00);
                    }
                    written += new Rune(scalar).EncodeToUtf8(buffer.AsSpan(written));
                    break;
                default: buffer[written++] = b; break; // \" \\ \/
            }
        }
        return buffer[..written];
    }

    private static int Hex4(ReadOnlySpan<byte> hex)
    {
        System.Buffers.Text.Utf8Parser.TryParse(hex, out int value, out _, 'x');
        return value;
    }

    /// <summary>The path of the value being read, segment by segment, turned into a string only for an error. The
    /// notation is the serializer's, without its leading <c>$.</c> (as <see cref="SpecLoader.ToSpecPath"/>): a name
    /// with special characters goes in <c>['...']</c> unescaped, an empty name adds just the dot.</summary>
    private sealed class PathStack
    {
        private struct Segment
        {
            public string? Name; // a property name or dictionary key; null for a dictionary before its first key
            public int Index;    // an array index, or -1 for a name
        }

        private Segment[] segments = new Segment[16];
        private int count;

        public void Push(string? name)
        {
            if (count == segments.Length) Array.Resize(ref segments, count * 2);
            segments[count++] = new Segment { Name = name, Index = -1 };
        }

        public void PushIndex()
        {
            if (count == segments.Length) Array.Resize(ref segments, count * 2);
            segments[count++] = new Segment { Index = 0 };
        }

        public void SetIndex(int index) => segments[count - 1].Index = index;

        public void SetName(string name) => segments[count - 1].Name = name;

        public void Pop() => count--;

        public override string ToString()
        {
            if (count == 0) return "";
            var sb = new StringBuilder();
            for (int i = 0; i < count; i++)
            {
                Segment s = segments[i];
                if (s.Index >= 0) sb.Append('[').Append(s.Index.ToString(CultureInfo.InvariantCulture)).Append(']');
                else if (s.Name is null) continue;
                else if (s.Name.AsSpan().ContainsAny(NeedsBrackets)) sb.Append("['").Append(s.Name).Append("']");
                else sb.Append('.').Append(s.Name);
            }
            return sb.Length > 0 && sb[0] == '.' ? sb.ToString(1, sb.Length - 1) : sb.ToString();
        }
    }
}
