import Foundation

/// How the desktop backs off when the server sheds load (503) or limits the user's rate (429): it waits the
/// server's `Retry-After` plus a random share of it (so that desktops refused together do not all come back in
/// the same second), a bounded number of times, and says so.
public struct BusyRetry: Sendable {
    /// Times one request is sent again after a busy answer; then the busy answer is the request's error.
    public var attempts: Int
    /// The longest single wait, in seconds, whatever the server asks.
    public var maxWait: Double
    /// The most added to a wait, as a share of it (0.5: up to half as long again).
    public var jitter: Double
    /// Told of each wait ("server busy, retrying in 3 s"); the default writes the line to standard error.
    public var report: @Sendable (String) -> Void

    public init(
        attempts: Int = 5, maxWait: Double = 120, jitter: Double = 0.5,
        report: @escaping @Sendable (String) -> Void = BusyRetry.standardError
    ) {
        self.attempts = attempts
        self.maxWait = maxWait
        self.jitter = jitter
        self.report = report
    }

    /// Writes a line to standard error.
    public static let standardError: @Sendable (String) -> Void = { line in
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }

    /// Runs `body`, and again after each busy answer (503 or 429 with `Retry-After`), waiting as this policy says
    /// and telling `report`; past `attempts`, or on any other error, the error is thrown.
    public func perform<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        var attempt = 0
        while true {
            do {
                return try await body()
            } catch let error as DesktopError {
                guard attempt < attempts, let wait = wait(after: error) else { throw error }
                attempt += 1
                let shown = Int(wait.rounded(.up))
                let what = error.isQuietHours ? "quiet hours on the server" : "server busy"
                report("\(what), retrying in \(shown) s (\(attempt) of \(attempts)): \(error.message)")
                try await Task.sleep(for: .milliseconds(Int(wait * 1000)))
            }
        }
    }

    /// The wait before sending again after `error`, or nil when the error is not a busy answer.
    func wait(after error: DesktopError) -> Double? {
        guard let seconds = error.retryAfter, error.status == 503 || error.status == 429 else { return nil }
        let base = Double(max(1, seconds))
        // Quiet hours name the moment sync is allowed again: waiting less is pointless, and a long wait is the
        // caller's (`sync --watch` sleeps until then; one `sync` reports it).
        if error.isQuietHours && base > maxWait { return nil }
        return min(maxWait, base + base * Double.random(in: 0...max(0, jitter)))
    }
}

extension DesktopError {
    /// The server delays this device's sync sessions (quiet hours); `retryAfter` says for how long.
    public var isQuietHours: Bool { serverCode == "quiet-hours" }
}
