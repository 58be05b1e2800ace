using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Oci.Conformance.Framework;

namespace Oci.Conformance.Spec;

/// <summary>One normative sentence of the spec: a sentence (or table row) that uses an RFC 2119 keyword.</summary>
/// <param name="Id">Stable id: document, section anchor and a hash of the normalized sentence (see <see cref="StatementExtractor.MakeId"/>).</param>
/// <param name="Doc">Spec document file name, e.g. <c>config-linux.md</c>.</param>
/// <param name="Section">Heading text of the section the sentence is in (markup removed).</param>
/// <param name="Level">Strongest keyword of the sentence: MUST (MUST, MUST NOT, REQUIRED, SHALL, SHALL NOT), SHOULD (SHOULD, SHOULD NOT, RECOMMENDED, NOT RECOMMENDED) or MAY (MAY, OPTIONAL).</param>
/// <param name="Keywords">The keywords in the order they occur.</param>
/// <param name="Text">The normalized sentence (markdown links, emphasis and code marks removed, whitespace collapsed).</param>
public sealed record Statement(string Id, string Doc, string Section, Level Level, IReadOnlyList<string> Keywords, string Text)
{
    /// <summary><c>doc#anchor</c> of the section, as GitHub renders it.</summary>
    public string SectionRef => $"{Doc}#{StatementExtractor.Slug(Section)}";
}

/// <summary>
/// Extracts the normative statements from the spec's markdown. The unit is a sentence: list items, paragraphs and
/// table rows are joined across line breaks, split into sentences, and every sentence that uses an RFC 2119 keyword
/// (upper case, as spec.md's notational conventions define them) is a statement. Fenced code, link definitions and
/// headings are not text. Keywords in double quotes ("MUST") are mentions, not requirements.
/// </summary>
public static class StatementExtractor
{
    /// <summary>The documents whose statements the suite accounts for.</summary>
    public static readonly IReadOnlyList<string> Documents =
        ["runtime.md", "runtime-linux.md", "config.md", "config-linux.md", "features.md", "features-linux.md"];

    private static readonly Regex Keyword = new(
        @"(?<![""A-Za-z])(MUST NOT|MUST|REQUIRED|SHALL NOT|SHALL|SHOULD NOT|SHOULD|NOT RECOMMENDED|RECOMMENDED|MAY|OPTIONAL)(?![""A-Za-z])",
        RegexOptions.CultureInvariant);
    private static readonly Regex Heading = new(@"^(#{1,6})\s+(.*?)\s*#*\s*$", RegexOptions.CultureInvariant);
    private static readonly Regex ListItem = new(@"^\s*(?:[*+-]|\d+\.)\s+", RegexOptions.CultureInvariant);
    private static readonly Regex LinkDefinition = new(@"^\s*\[[^\]]+\]:\s*\S", RegexOptions.CultureInvariant);
    private static readonly Regex TableSeparator = new(@"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$", RegexOptions.CultureInvariant);
    private static readonly Regex Anchor = new(@"<a\s+name=""[^""]*""\s*/?>\s*(</a>)?", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase);
    private static readonly Regex InlineLink = new(@"!?\[((?:[^\[\]]|\[[^\]]*\])*)\]\([^)]*\)", RegexOptions.CultureInvariant);
    private static readonly Regex RefLink = new(@"\[((?:[^\[\]]|\[[^\]]*\])*)\]\[[^\]]*\]", RegexOptions.CultureInvariant);
    private static readonly Regex FootnoteRef = new(@"\[\^[^\]]+\]", RegexOptions.CultureInvariant);
    private static readonly Regex Spaces = new(@"\s+", RegexOptions.CultureInvariant);
    private static readonly Regex SpaceBeforeStop = new(@" ([.,;:])(?=\s|$)", RegexOptions.CultureInvariant);
    private static readonly HashSet<string> Abbreviations = new(StringComparer.Ordinal) { "e.g", "i.e", "etc", "vs", "cf", "Std", "No", "approx" };

    /// <summary>Extracts the statements of one document, in document order, with ids unique within it.</summary>
    public static List<Statement> Extract(string doc, string markdown)
    {
        var result = new List<Statement>();
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (section, unit, rowKey) in Units(markdown))
        {
            var sentences = SplitSentences(unit);
            for (int i = 0; i < sentences.Count; i++)
            {
                // A table row's later sentences are named by the row's first cell, so that the same sentence in
                // several rows ("This annotation SHOULD only be used …") stays distinguishable.
                var text = Normalize(i > 0 && rowKey is not null ? rowKey + " | " + sentences[i] : sentences[i]);
                var keywords = Keywords(text);
                if (keywords.Count == 0) continue;
                var id = MakeId(doc, section, text);
                // The same sentence twice in one section (e.g. two fields that "MUST accept this value") gets -2, -3, …
                int n = seen[id] = seen.GetValueOrDefault(id) + 1;
                if (n > 1) id += "-" + n.ToString(System.Globalization.CultureInfo.InvariantCulture);
                result.Add(new Statement(id, doc, section, LevelOf(keywords), keywords, text));
            }
        }
        return result;
    }

    /// <summary>
    /// <c>DOC#ANCHOR:HASH</c>: the document without <c>.md</c>, the section's anchor and the first 8 hex digits of the
    /// SHA-256 of the normalized sentence. Ids change only when a sentence's words or its section change.
    /// </summary>
    public static string MakeId(string doc, string section, string normalizedText)
    {
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(normalizedText)))[..8];
        var d = doc.EndsWith(".md", StringComparison.Ordinal) ? doc[..^3] : doc;
        return $"{d}#{Slug(section)}:{hash}";
    }

    /// <summary>The RFC 2119 keywords used (not mentioned in quotes) in a normalized sentence.</summary>
    public static List<string> Keywords(string text) => Keyword.Matches(text).Select(m => m.Value).ToList();

    public static Level LevelOf(IEnumerable<string> keywords)
    {
        var level = Level.MAY;
        foreach (var k in keywords)
        {
            if (k is "MUST" or "MUST NOT" or "REQUIRED" or "SHALL" or "SHALL NOT") return Level.MUST;
            if (k is "SHOULD" or "SHOULD NOT" or "RECOMMENDED" or "NOT RECOMMENDED") level = Level.SHOULD;
        }
        return level;
    }

    /// <summary>GitHub's anchor for a heading: lower case, punctuation dropped, spaces to dashes.</summary>
    public static string Slug(string heading)
    {
        var sb = new StringBuilder();
        foreach (var ch in CleanInline(heading).Trim().ToLowerInvariant())
        {
            if (char.IsLetterOrDigit(ch) || ch is '-' or '_') sb.Append(ch);
            else if (ch == ' ') sb.Append('-');
        }
        return sb.ToString();
    }

    /// <summary>Markdown inline markup removed: links keep their text, emphasis/code marks and footnote references go, whitespace collapses.</summary>
    public static string Normalize(string s)
    {
        s = CleanInline(s);
        s = ListItem.Replace(s, "", 1);
        return s.Trim();
    }

    private static string CleanInline(string s)
    {
        s = Anchor.Replace(s, "");
        s = FootnoteRef.Replace(s, "");
        // Links may nest code with brackets inside; two passes cover the spec's use.
        for (int i = 0; i < 2; i++)
        {
            s = InlineLink.Replace(s, "$1");
            s = RefLink.Replace(s, "$1");
        }
        s = s.Replace("**", "", StringComparison.Ordinal).Replace("`", "", StringComparison.Ordinal);
        s = Regex.Replace(s, @"(?<![\w*])\*(?=\S)|(?<=\S)\*(?![\w*])", "");
        s = s.Replace("\\|", "|", StringComparison.Ordinal);
        s = Spaces.Replace(s, " ").Trim();
        // A dropped footnote reference leaves "recursively ." behind.
        return SpaceBeforeStop.Replace(s, "$1");
    }

    /// <summary>
    /// The text units of a document with their section: paragraphs and list items joined across line breaks, and
    /// table rows (cells joined with " | "; the rows of a table are separate units).
    /// </summary>
    public static IEnumerable<(string Section, string Text, string? RowKey)> Units(string markdown)
    {
        var lines = markdown.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        var table = new bool[lines.Length];
        for (int i = 0; i < lines.Length; i++)
        {
            if (!TableSeparator.IsMatch(lines[i]) || !lines[i].Contains('-')) continue;
            table[i] = true;
            if (i > 0) table[i - 1] = true;
            for (int j = i + 1; j < lines.Length && lines[j].Trim().Length > 0 && lines[j].Contains('|'); j++) table[j] = true;
        }
        string section = "";
        var block = new StringBuilder();
        bool fenced = false;
        var units = new List<(string, string, string?)>();
        void Flush()
        {
            if (block.Length > 0) units.Add((section, block.ToString(), null));
            block.Clear();
        }
        for (int i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            var trimmed = line.Trim();
            if (trimmed.StartsWith("```", StringComparison.Ordinal) || trimmed.StartsWith("~~~", StringComparison.Ordinal))
            {
                Flush();
                fenced = !fenced;
                continue;
            }
            if (fenced) continue;
            if (trimmed.Length == 0) { Flush(); continue; }
            var h = Heading.Match(trimmed);
            if (h.Success)
            {
                Flush();
                section = CleanInline(h.Groups[2].Value);
                continue;
            }
            if (table[i])
            {
                Flush();
                if (TableSeparator.IsMatch(line)) continue;
                var cells = trimmed.Trim('|').Split('|').Select(c => c.Trim()).ToList();
                units.Add((section, string.Join(" | ", cells), cells[0]));
                continue;
            }
            if (LinkDefinition.IsMatch(line) && !trimmed.StartsWith("[^", StringComparison.Ordinal)) { Flush(); continue; }
            if (trimmed.StartsWith('>')) trimmed = trimmed.TrimStart('>').Trim();
            if (ListItem.IsMatch(line) || trimmed.StartsWith("[^", StringComparison.Ordinal)) Flush();
            if (block.Length > 0) block.Append(' ');
            block.Append(trimmed);
        }
        Flush();
        return units;
    }

    /// <summary>
    /// Splits a unit into sentences at '.', '!' or '?' followed by white space and a capital letter or markup, outside
    /// code spans, parentheses and brackets, and not after a known abbreviation (e.g., i.e., Std., …).
    /// </summary>
    public static List<string> SplitSentences(string unit)
    {
        var result = new List<string>();
        int start = 0, depth = 0;
        bool code = false;
        for (int i = 0; i < unit.Length; i++)
        {
            char c = unit[i];
            if (c == '`') { code = !code; continue; }
            if (code) continue;
            if (c is '(' or '[') depth++;
            else if (c is ')' or ']') depth = Math.Max(0, depth - 1);
            else if (c is '.' or '!' or '?' && depth == 0 && i + 2 < unit.Length && char.IsWhiteSpace(unit[i + 1]))
            {
                int k = i + 1;
                while (k < unit.Length && char.IsWhiteSpace(unit[k])) k++;
                if (k >= unit.Length) continue;
                char next = unit[k];
                if (!(char.IsUpper(next) || next is '`' or '*' or '[' or '>')) continue;
                int w = i - 1;
                while (w >= start && !char.IsWhiteSpace(unit[w]) && unit[w] != '(') w--;
                var word = unit[(w + 1)..i];
                if (Abbreviations.Contains(word) || word.Length == 1 && char.IsLetter(word[0])) continue;
                result.Add(unit[start..(i + 1)].Trim());
                start = k;
            }
        }
        if (start < unit.Length && unit[start..].Trim().Length > 0) result.Add(unit[start..].Trim());
        return result;
    }
}
