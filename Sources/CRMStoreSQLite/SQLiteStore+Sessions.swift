import CRMStore
import Foundation
import GRDB

extension SQLiteStore {
    public func createSession(_ session: Session) async throws {
        try await write { db in
            try db.cachedStatement(
                sql: "INSERT INTO sessions (token_hash, user, created_at, expires_at, device) VALUES (?, ?, ?, ?, ?)").execute(
                arguments: [
                    session.tokenHash, session.user, RecordRow.millis(session.createdAt),
                    RecordRow.millis(session.expiresAt), session.device,
                ])
        }
    }

    public func session(tokenHash: String) async throws -> Session? {
        try await read { db in
            try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM sessions WHERE token_hash = ?"), arguments: [tokenHash]).map {
                Session(
                    tokenHash: $0["token_hash"], user: $0["user"], createdAt: RecordRow.date($0["created_at"]),
                    expiresAt: RecordRow.date($0["expires_at"]), device: $0["device"])
            }
        }
    }

    public func deleteSession(tokenHash: String) async throws {
        try await write { db in
            try db.cachedStatement(sql: "DELETE FROM sessions WHERE token_hash = ?").execute(arguments: [tokenHash])
        }
    }

    public func deleteSessions(user: String) async throws {
        try await write { db in try db.cachedStatement(sql: "DELETE FROM sessions WHERE user = ?").execute(arguments: [user]) }
    }

    public func deleteExpiredSessions(before date: Date) async throws {
        try await write { db in
            try db.cachedStatement(sql: "DELETE FROM sessions WHERE expires_at < ?").execute(arguments: [RecordRow.millis(date)])
            try db.cachedStatement(sql: "DELETE FROM revoked_tokens WHERE expires_at < ?").execute(arguments: [RecordRow.millis(date)])
        }
    }
}

extension SQLiteStore {
    public func lockedUntil(keys: [String], now: Date) async throws -> Date? {
        guard !keys.isEmpty else { return nil }
        return try await read { db in
            let marks = Array(repeating: "?", count: keys.count).joined(separator: ",")
            let until = try Int64.fetchOne(
                db, sql: "SELECT max(locked_until) FROM login_failures WHERE key IN (\(marks)) AND locked_until > ?",
                arguments: StatementArguments(keys) + [RecordRow.millis(now)])
            return until.map(RecordRow.date)
        }
    }

    public func recordFailure(keys: [String], now: Date, policy: ThrottlePolicy) async throws -> Date? {
        try await write { db in
            let nowMillis = RecordRow.millis(now)
            var lockedUntil: Date?
            for key in keys {
                let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM login_failures WHERE key = ?"), arguments: [key])
                var failures = (row?["failures"] as Int?) ?? 0
                // The window counts from the last failure or the end of the last lock, whichever is later, so
                // waiting out a lock never buys a fresh set of guesses.
                let lastFailure = (row?["last_failure"] as Int64?) ?? nowMillis
                let quietSince = max(lastFailure, (row?["locked_until"] as Int64?) ?? 0)
                if nowMillis - quietSince > Int64(policy.window * 1000) { failures = 0 }
                let lastFailureNow = nowMillis
                failures += 1
                var until: Int64?
                if failures >= policy.maxFailures {
                    let doublings = Double(min(failures - policy.maxFailures, 20))
                    let seconds = min(policy.lock * pow(2, doublings), policy.maxLock)
                    until = nowMillis + Int64(seconds * 1000)
                    let date = RecordRow.date(until!)
                    lockedUntil = max(lockedUntil ?? date, date)
                }
                try db.cachedStatement(
                    sql: """
                        INSERT OR REPLACE INTO login_failures (key, failures, last_failure, locked_until)
                        VALUES (?, ?, ?, ?)
                        """).execute(arguments: [key, failures, lastFailureNow, until])
            }
            return lockedUntil
        }
    }

    public func clearFailures(keys: [String]) async throws {
        guard !keys.isEmpty else { return }
        try await write { db in
            let marks = Array(repeating: "?", count: keys.count).joined(separator: ",")
            try db.execute(sql: "DELETE FROM login_failures WHERE key IN (\(marks))", arguments: StatementArguments(keys))
        }
    }
}
