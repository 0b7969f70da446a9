import Foundation
import Logging

/// A swift-log handler writing one JSON object a line (`crm-server serve --log-format json`), for log
/// collectors that read JSON: `time` (ISO 8601, UTC, milliseconds), `level`, `logger`, `message`, then the
/// metadata as string fields (`requestId`, `route`, `status`, ...).
public struct JSONLogHandler: LogHandler {
    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    let label: String
    let sink: @Sendable (String) -> Void

    /// A handler for `label` writing each line (with its newline) to `sink`; standard error by default.
    public init(label: String, sink: @escaping @Sendable (String) -> Void = JSONLogHandler.standardError) {
        self.label = label
        self.sink = sink
    }

    /// Writes a line to standard error in one call, so lines of concurrent requests do not interleave.
    public static let standardError: @Sendable (String) -> Void = { line in
        FileHandle.standardError.write(Data(line.utf8))
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var fields = metadata
        if let provided = metadataProvider?.get() { fields.merge(provided) { $1 } }
        if let given = event.metadata { fields.merge(given) { $1 } }
        var line = "{\"time\":" + Self.quoted(Self.timestamp(Date()))
        line += ",\"level\":" + Self.quoted(event.level.rawValue)
        line += ",\"logger\":" + Self.quoted(label)
        line += ",\"message\":" + Self.quoted(event.message.description)
        for (key, value) in fields.sorted(by: { $0.key < $1.key })
        where !["time", "level", "logger", "message"].contains(key) {
            line += "," + Self.quoted(key) + ":" + Self.quoted(value.description)
        }
        sink(line + "}\n")
    }

    /// `text` as a JSON string: quotes, backslashes and control characters escaped.
    static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case let c where c.value < 0x20: out += String(format: "\\u%04x", c.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    static func timestamp(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }
}
