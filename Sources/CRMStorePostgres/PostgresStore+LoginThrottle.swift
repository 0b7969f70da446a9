import CRMStore
import Foundation
import PostgresNIO

/// Failed-login counters in `login_failures`, shared by every server on the database: a guesser who spreads
/// attempts over servers meets one count.
extension PostgresStore: LoginThrottleStore {
    public func lockedUntil(keys: [String], now: Date) async throws -> Date? {
        guard !keys.isEmpty else { return nil }
        let rows = try await execute(
            """
            SELECT max(locked_until) FROM login_failures WHERE key = ANY(\(keys)) AND locked_until > \(StoreTime(now))
            """)
        return try rows.first?.decode(StoreTime?.self)?.date
    }

    public func recordFailure(keys: [String], now: Date, policy: ThrottlePolicy) async throws -> Date? {
        let nowTime = StoreTime(now)
        return try await transaction { connection in
            var lockedUntil: StoreTime?
            // Keys are locked in one order, so two logins failing at once for the same keys cannot deadlock.
            for key in keys.sorted() {
                // Creates the row or locks the existing one, and reads it: a concurrent failure of the same key
                // waits here until this one commits, then counts on top of it.
                let row = try await connection.rows(
                    """
                    INSERT INTO login_failures (key, failures, last_failure) VALUES (\(key), 0, \(nowTime))
                    ON CONFLICT (key) DO UPDATE SET key = excluded.key
                    RETURNING failures, last_failure, locked_until
                    """, logger: self.logger
                )
                guard let (stored, lastFailure, storedLock) = try row.first?.decode((Int, StoreTime, StoreTime?).self)
                else { throw StoreError.database("login_failures: no row for \(key)") }
                var failures = stored
                // The window counts from the last failure or the end of the last lock, whichever is later, so
                // waiting out a lock never buys a fresh set of guesses.
                let quietSince = max(lastFailure.milliseconds, storedLock?.milliseconds ?? 0)
                if nowTime.milliseconds - quietSince > Int64(policy.window * 1000) { failures = 0 }
                failures += 1
                var until: StoreTime?
                if failures >= policy.maxFailures {
                    let doublings = Double(min(failures - policy.maxFailures, 20))
                    let seconds = min(policy.lock * pow(2, doublings), policy.maxLock)
                    let lock = StoreTime(milliseconds: nowTime.milliseconds + Int64(seconds * 1000))
                    until = lock
                    lockedUntil = max(lockedUntil ?? lock, lock)
                }
                try await connection.rows(
                    """
                    UPDATE login_failures SET failures = \(failures), last_failure = \(nowTime), locked_until = \(until)
                    WHERE key = \(key)
                    """, logger: self.logger)
            }
            return lockedUntil?.date
        }
    }

    public func clearFailures(keys: [String]) async throws {
        guard !keys.isEmpty else { return }
        try await execute("DELETE FROM login_failures WHERE key = ANY(\(keys))")
    }
}
