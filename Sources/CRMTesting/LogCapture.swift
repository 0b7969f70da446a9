import CRMServer
import Foundation
import Logging
import Synchronization

/// Keeps every line a logger writes, as `serve --log-format json` writes them (`JSONLogHandler`), so a test can
/// look for a request's line or make sure something never reaches the log.
public final class LogCapture: Sendable {
    private let lines = Mutex<[String]>([])

    public init() {}

    /// A logger at `level` whose lines this capture keeps.
    public func logger(level: Logger.Level = .trace, label: String = "crm-test-server") -> Logger {
        var logger = Logger(label: label) { label in
            JSONLogHandler(label: label) { [self] line in lines.withLock { $0.append(line) } }
        }
        logger.logLevel = level
        return logger
    }

    /// Every line so far, as written (JSON, one object a line).
    public var text: String { lines.withLock { $0.joined() } }

    /// Every line so far, decoded: string fields by name.
    public var entries: [[String: String]] {
        lines.withLock { $0 }.compactMap { line in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: String]
        }
    }
}
