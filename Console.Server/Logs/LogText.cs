using System.IO.Compression;
using System.Text;
using System.Text.Json;

namespace OpsConsole.Server.Logs;

/// <summary>A run's log archive (gzip JSON Lines of <see cref="LogLine"/>) as plain text: time, level, source and message a line.</summary>
public static class LogText
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Streams <paramref name="gzip"/> (disposed here) to <paramref name="body"/> as text, one line at a time.</summary>
    public static async Task WriteAsync(Stream gzip, Stream body, CancellationToken cancellationToken)
    {
        await using var source = gzip;
        await using var unzip = new GZipStream(source, CompressionMode.Decompress);
        using var reader = new StreamReader(unzip, Encoding.UTF8);
        await using var writer = new StreamWriter(body, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), 64 * 1024);
        while (await reader.ReadLineAsync(cancellationToken) is { } json)
        {
            if (json.Length == 0)
            {
                continue;
            }
            await writer.WriteLineAsync(Line(JsonSerializer.Deserialize<LogLine>(json, Json)!));
        }
    }

    /// <summary>"2026-12-07T05:02:14.164Z info  driver  message"; a plain-text line as the job wrote it.</summary>
    public static string Line(LogLine line) =>
        line.Level.Length == 0 && line.Msg.Length == 0
            ? line.Text
            : $"{line.Ts} {line.Level,-5} {line.Source} {(line.Msg.Length > 0 ? line.Msg : line.Text)}";
}
