import CRMModel
import CRMStore
import CRMSyncProtocol
import Foundation
import GRDB

extension SQLiteStore: InstallationTransfer {
    public func installationCounts() async throws -> InstallationCounts {
        try await read { db in
            var counts = InstallationCounts()
            let tables: [(InstallationKind, String)] = [
                (.users, "SELECT count(*) FROM users"), (.packages, "SELECT count(*) FROM packages"),
                (.packageRoles, "SELECT count(*) FROM package_roles"), (.devices, "SELECT count(*) FROM devices"),
                (.sessions, "SELECT count(*) FROM sessions"),
                (.refreshTokens, "SELECT count(*) FROM refresh_tokens"),
                (.revokedTokens, "SELECT count(*) FROM revoked_tokens"), (.records, "SELECT count(*) FROM records"),
                (.tombstones, "SELECT count(*) FROM records WHERE deleted = 1"),
                (.conflicts, "SELECT count(*) FROM records WHERE type = '\(ConflictRecord.typeName)'"),
                (.opResults, "SELECT count(*) FROM op_results"), (.syncSessions, "SELECT count(*) FROM sync_sessions"),
                (.attachments, "SELECT count(*) FROM attachments"),
                (.attachmentBytes, "SELECT coalesce(sum(size), 0) FROM attachment_chunks"),
            ]
            for (kind, sql) in tables { counts[kind] = try Int64.fetchOne(db, sql: sql) ?? 0 }
            return counts
        }
    }

    public func sessionsPage(after tokenHash: String?, limit: Int) async throws -> [Session] {
        try await read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT token_hash, user, created_at, expires_at, device FROM sessions WHERE token_hash > ?
                    ORDER BY token_hash LIMIT ?
                    """, arguments: [tokenHash ?? "", limit]
            ).map { row in
                Session(
                    tokenHash: row[0], user: row[1], createdAt: RecordRow.date(row[2]),
                    expiresAt: RecordRow.date(row[3]), device: row[4])
            }
        }
    }

    public func refreshTokensPage(after tokenHash: String?, limit: Int) async throws -> [RefreshToken] {
        try await read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT token_hash, device, user, created_at, expires_at FROM refresh_tokens WHERE token_hash > ?
                    ORDER BY token_hash LIMIT ?
                    """, arguments: [tokenHash ?? "", limit]
            ).map { row in
                RefreshToken(
                    tokenHash: row[0], device: row[1], user: row[2], createdAt: RecordRow.date(row[3]),
                    expiresAt: RecordRow.date(row[4]))
            }
        }
    }

    public func revokedTokensPage(after tokenHash: String?, limit: Int) async throws -> [RevokedToken] {
        try await read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT token_hash, device, expires_at FROM revoked_tokens WHERE token_hash > ?
                    ORDER BY token_hash LIMIT ?
                    """, arguments: [tokenHash ?? "", limit]
            ).map { RevokedToken(tokenHash: $0[0], device: $0[1], expiresAt: RecordRow.date($0[2])) }
        }
    }

    public func opResultsPage(after key: (device: String, opId: String)?, limit: Int) async throws
        -> [StoredOpResult]
    {
        let device = key?.device ?? ""
        let opId = key?.opId ?? ""
        return try await read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT device, op_id, result, created_at FROM op_results WHERE (device, op_id) > (?, ?)
                    ORDER BY device, op_id LIMIT ?
                    """, arguments: [device, opId, limit]
            ).map { row in
                let result: String = row[2]
                return StoredOpResult(
                    device: row[0], opId: row[1], result: Data(result.utf8), createdAt: RecordRow.date(row[3]))
            }
        }
    }

    public func syncSessionsPage(after id: String?, limit: Int) async throws -> [SyncSessionRow] {
        try await read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM sync_sessions WHERE id > ? ORDER BY id LIMIT ?", arguments: [id ?? "", limit]
            ).map(Self.sessionRow)
        }
    }

    public func attachmentsPage(after sha256: String?, limit: Int) async throws -> [StoredAttachment] {
        try await read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT sha256, size, media_type, stored_at FROM attachments WHERE sha256 > ?
                    ORDER BY sha256 LIMIT ?
                    """, arguments: [sha256 ?? "", limit]
            ).map { StoredAttachment(sha256: $0[0], size: $0[1], mediaType: $0[2], storedAt: RecordRow.date($0[3])) }
        }
    }

    public func importUsers(_ users: [User]) async throws {
        try await write { db in
            // Managers after everyone is in: a manager may come later in the list.
            for user in users {
                try db.execute(
                    sql: """
                        INSERT INTO users (name, password_hash, role, manager, emails, enabled, created_at)
                        VALUES (?, ?, ?, NULL, ?, ?, ?)
                        """,
                    arguments: [
                        user.name, user.passwordHash, user.role, try Self.json(user.emails), user.enabled,
                        RecordRow.millis(user.createdAt),
                    ])
            }
            for user in users where user.manager != nil {
                try db.execute(sql: "UPDATE users SET manager = ? WHERE name = ?", arguments: [user.manager, user.name])
            }
        }
    }

    public func importPackages(_ packages: [PublishedPackage]) async throws {
        try await write { db in
            for package in packages {
                try db.execute(
                    sql: "INSERT INTO packages (version, name, source, json, published_at) VALUES (?, ?, ?, ?, ?)",
                    arguments: [
                        package.version, package.name, package.source, package.json,
                        RecordRow.millis(package.publishedAt),
                    ])
                for role in package.roles {
                    try db.execute(
                        sql: "INSERT INTO package_roles (role, version) VALUES (?, ?)",
                        arguments: [role, package.version])
                }
            }
        }
    }

    public func importDevices(_ devices: [Device]) async throws {
        try await write { db in
            for device in devices {
                try db.execute(
                    sql: """
                        INSERT INTO devices (id, user, name, created_at, last_seen_at, revoked_at)
                        VALUES (?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        device.id, device.user, device.name, RecordRow.millis(device.createdAt),
                        device.lastSeenAt.map(RecordRow.millis), device.revokedAt.map(RecordRow.millis),
                    ])
            }
        }
    }

    public func importSessions(_ sessions: [Session]) async throws {
        try await write { db in
            for session in sessions {
                try db.execute(
                    sql: """
                        INSERT INTO sessions (token_hash, user, created_at, expires_at, device)
                        VALUES (?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        session.tokenHash, session.user, RecordRow.millis(session.createdAt),
                        RecordRow.millis(session.expiresAt), session.device,
                    ])
            }
        }
    }

    public func importRefreshTokens(_ tokens: [RefreshToken]) async throws {
        try await write { db in
            for token in tokens {
                try db.execute(
                    sql: """
                        INSERT INTO refresh_tokens (token_hash, device, user, created_at, expires_at)
                        VALUES (?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        token.tokenHash, token.device, token.user, RecordRow.millis(token.createdAt),
                        RecordRow.millis(token.expiresAt),
                    ])
            }
        }
    }

    public func importRevokedTokens(_ tokens: [RevokedToken]) async throws {
        try await write { db in
            for token in tokens {
                try db.execute(
                    sql: "INSERT INTO revoked_tokens (token_hash, device, expires_at) VALUES (?, ?, ?)",
                    arguments: [token.tokenHash, token.device, RecordRow.millis(token.expiresAt)])
            }
        }
    }

    /// Inserts the rows as they are (sequence numbers included), with their team and reference index rows.
    public func importRecords(_ records: [CRMModel.Record]) async throws {
        guard !records.isEmpty else { return }
        let rows = records.map(EncodedRecord.init)
        // Keys as the rebuild keeps them: a source written before keys had a constraint may hold one twice.
        try await recordWrite { db, keys in try EncodedRecord.insert(rows, keys: keys, strictKeys: false, in: db) }
    }

    public func importOpResults(_ results: [StoredOpResult]) async throws {
        try await write { db in
            for result in results {
                try db.execute(
                    sql: "INSERT INTO op_results (device, op_id, result, created_at) VALUES (?, ?, ?, ?)",
                    arguments: [
                        result.device, result.opId, String(decoding: result.result, as: UTF8.self),
                        RecordRow.millis(result.createdAt),
                    ])
            }
        }
    }

    public func importSyncSessions(_ sessions: [SyncSessionRow]) async throws {
        try await write { db in
            for session in sessions {
                try db.execute(
                    sql: """
                        INSERT INTO sync_sessions (id, user, device, started_at, expires_at, ended_at, filter, counts,
                            client_counts, errors)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        session.id, session.user, session.device, RecordRow.millis(session.startedAt),
                        RecordRow.millis(session.expiresAt), session.endedAt.map(RecordRow.millis),
                        String(decoding: session.filter, as: UTF8.self), try Self.json(session.counts),
                        try session.clientCounts.map { try Self.json($0) }, try Self.json(session.errors),
                    ])
            }
        }
    }

    public func importAttachment(_ attachment: StoredAttachment) async throws {
        try await write { db in
            try db.execute(
                sql: "INSERT INTO attachments (sha256, size, media_type, stored_at) VALUES (?, ?, ?, ?)",
                arguments: [
                    attachment.sha256, attachment.size, attachment.mediaType, RecordRow.millis(attachment.storedAt),
                ])
        }
    }

    public func importAttachmentContent(sha256: String, start: Int64, bytes: Data) async throws {
        try await write { db in
            try db.execute(
                sql: "INSERT INTO attachment_chunks (sha256, start, size, data) VALUES (?, ?, ?, ?)",
                arguments: [sha256, start, bytes.count, bytes])
        }
    }

    public func finishImport(lastSequence: Int64, purgedSequence: Int64) async throws {
        try await write { db in
            try db.execute(sql: "UPDATE meta SET value = ? WHERE key = 'seq'", arguments: [String(lastSequence)])
            try db.execute(sql: "DELETE FROM meta WHERE key = 'purged_seq'")
            if purgedSequence > 0 {
                try db.execute(
                    sql: "INSERT INTO meta (key, value) VALUES ('purged_seq', ?)", arguments: [String(purgedSequence)])
            }
        }
    }

    public func renewEpoch() async throws -> SyncMeta {
        try await write { db in
            try db.execute(sql: "UPDATE meta SET value = lower(hex(randomblob(16))) WHERE key = 'epoch'")
            try db.execute(sql: "UPDATE meta SET value = lower(hex(randomblob(32))) WHERE key = 'cursor_key'")
        }
        return try await syncMeta()
    }
}
