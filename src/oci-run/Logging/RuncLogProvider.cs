using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace Oci.Cli.Logging;

/// <summary>Writes log entries as runc does: with <c>--log-format json</c> one object a line,
/// <c>{"level":"error","msg":"…","time":"…"}</c> (containerd's shim reads the last error back from it), else
/// logrus's text form <c>time="…" level=error msg="…"</c>.</summary>
internal sealed class RuncLogProvider(Stream output, bool json, LogLevel minimum) : ILoggerProvider
{
    readonly Lock gate = new();

    // Messages quote paths and values; keep them readable ("+", "<", "'" and non-ASCII as they are), as logrus does.
    // The relaxed encoder builds its table on first use, which only a command that logs in JSON pays for; it writes
    // characters outside the Basic Multilingual Plane as \u escape pairs, which read back as the same text.
    static readonly JsonWriterOptions WriterOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    LogLevel Minimum => minimum;

    public ILogger CreateLogger(string categoryName) => new RuncLogger(this);

    public void Dispose() => output.Dispose();

    void Write(LogLevel level, string message)
    {
        string time = DateTimeOffset.Now.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffffzzz", System.Globalization.CultureInfo.InvariantCulture);
        string levelName = level switch
        {
            LogLevel.Trace or LogLevel.Debug => "debug",
            LogLevel.Information => "info",
            LogLevel.Warning => "warning",
            LogLevel.Error => "error",
            _ => "fatal",
        };
        byte[] line;
        if (json)
        {
            using var buffer = new MemoryStream();
            using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
            {
                writer.WriteStartObject();
                writer.WriteString("level", levelName);
                writer.WriteString("msg", OneLine.Escape(message));
                writer.WriteString("time", time);
                writer.WriteEndObject();
            }
            buffer.WriteByte((byte)'\n');
            line = buffer.ToArray();
        }
        else
        {
            // logrus's quoting: backslashes and quotes escaped, then control characters (after, so that their
            // escapes are not doubled).
            string quoted = OneLine.Escape(message.Replace("\\", "\\\\").Replace("\"", "\\\""));
            line = Encoding.UTF8.GetBytes($"time=\"{time}\" level={levelName} msg=\"{quoted}\"\n");
        }
        // One write per line keeps concurrent commands appending to one log file from interleaving.
        lock (gate)
        {
            output.Write(line);
            output.Flush();
        }
    }

    sealed class RuncLogger(RuncLogProvider provider) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= provider.Minimum && logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel)) provider.Write(logLevel, formatter(state, exception));
        }
    }
}
