import CRMModel
import CRMStore
import CRMSyncProtocol
import Foundation
import PostgresNIO

extension PostgresStore: InstallationTransfer {
    public func installationCounts() async throws -> InstallationCounts {
        let kinds: [(InstallationKind, String)] = [
            (.users, "(SELECT count(*) FROM users)"), (.packages, "(SELECT count(*) FROM packages)"),
            (.packageRoles, "(SELECT count(*) FROM package_roles)"), (.devices, "(SELECT count(*) FROM devices)"),
            (.sessions, "(SELECT count(*) FROM sessions)"), (.refreshTokens, "(SELECT count(*) FROM refresh_tokens)"),
            (.revokedTokens, "(SELECT count(*) FROM revoked_tokens)"), (.records, "(SELECT count(*) FROM records)"),
            (.tombstones, "(SELECT count(*) FROM records WHERE deleted)"),
            (.conflicts, "(SELECT count(*) FROM records WHERE type = '\(ConflictRecord.typeName)')"),
            (.opResults, "(SELECT count(*) FROM op_results)"), (.syncSessions, "(SELECT count(*) FROM sync_sessions)"),
            (.attachments, "(SELECT count(*) FROM attachments)"),
            (.attachmentBytes, "(SELECT coalesce(sum(size), 0)::bigint FROM attachment_chunks)"),
        ]
        // One statement, so every count comes from one snapshot.
        let sql = "SELECT ARRAY[" + kinds.map(\.1).joined(separator: ", ") + "]::bigint[]"
        let values = try await execute(PostgresQuery(unsafeSQL: sql)).first?.decode([Int64].self) ?? []
        var counts = InstallationCounts()
        for (index, (kind, _)) in kinds.enumerated() where index < values.count { counts[kind] = values[index] }
        return counts
    }

    public func sessionsPage(after tokenHash: String?, limit: Int) async throws -> [Session] {
        try await execute(
            """
            SELECT token_hash, user_name, created_at, expires_at, device FROM sessions
            WHERE token_hash > \(tokenHash ?? "") ORDER BY token_hash LIMIT \(limit)
            """
        ).map { row in
            let (hash, user, createdAt, expiresAt, device) = try row.decode(
                (String, String, StoreTime, StoreTime, String?).self)
            return Session(tokenHash: hash, user: user, createdAt: createdAt.date, expiresAt: expiresAt.date, device: device)
        }
    }

    public func refreshTokensPage(after tokenHash: String?, limit: Int) async throws -> [RefreshToken] {
        try await execute(
            """
            SELECT token_hash, device, user_name, created_at, expires_at FROM refresh_tokens
            WHERE token_hash > \(tokenHash ?? "") ORDER BY token_hash LIMIT \(limit)
            """
        ).map { row in
            let (hash, device, user, createdAt, expiresAt) = try row.decode(
                (String, String, String, StoreTime, StoreTime).self)
            return RefreshToken(
                tokenHash: hash, device: device, user: user, createdAt: createdAt.date, expiresAt: expiresAt.date)
        }
    }

    public func revokedTokensPage(after tokenHash: String?, limit: Int) async throws -> [RevokedToken] {
        try await execute(
            """
            SELECT token_hash, device, expires_at FROM revoked_tokens
            WHERE token_hash > \(tokenHash ?? "") ORDER BY token_hash LIMIT \(limit)
            """
        ).map { row in
            let (hash, device, expiresAt) = try row.decode((String, String, StoreTime).self)
            return RevokedToken(tokenHash: hash, device: device, expiresAt: expiresAt.date)
        }
    }

    public func opResultsPage(after key: (device: String, opId: String)?, limit: Int) async throws
        -> [StoredOpResult]
    {
        try await execute(
            """
            SELECT device, op_id, result, created_at FROM op_results
            WHERE (device, op_id) > (\(key?.device ?? ""), \(key?.opId ?? ""))
            ORDER BY device, op_id LIMIT \(limit)
            """
        ).map { row in
            let (device, opId, result, createdAt) = try row.decode((String, String, String, Int64).self)
            return StoredOpResult(
                device: device, opId: opId, result: Data(result.utf8), createdAt: PostgresRecordRow.date(createdAt))
        }
    }

    public func syncSessionsPage(after id: String?, limit: Int) async throws -> [SyncSessionRow] {
        try await execute(
            """
            SELECT \(unescaped: Self.syncSessionColumns) FROM sync_sessions WHERE id > \(id ?? "")
            ORDER BY id LIMIT \(limit)
            """
        ).map(Self.syncSessionRow)
    }

    public func attachmentsPage(after sha256: String?, limit: Int) async throws -> [StoredAttachment] {
        try await execute(
            """
            SELECT sha256, size, media_type, stored_at FROM attachments WHERE sha256 > \(sha256 ?? "")
            ORDER BY sha256 LIMIT \(limit)
            """
        ).map { row in
            let (sha, size, mediaType, storedAt) = try row.decode((String, Int64, String, StoreTime).self)
            return StoredAttachment(sha256: sha, size: size, mediaType: mediaType, storedAt: storedAt.date)
        }
    }

    public func importUsers(_ users: [User]) async throws {
        try await plainTransaction { writer in
            // Managers after everyone is in: a manager may come later in the list.
            for user in users {
                try await writer.rows(
                    """
                    INSERT INTO users (name, password_hash, role, manager, emails, enabled, created_at)
                    VALUES (\(user.name), \(user.passwordHash), \(user.role), NULL, \(user.emails), \(user.enabled),
                        \(StoreTime(user.createdAt)))
                    """)
            }
            for user in users where user.manager != nil {
                try await writer.rows("UPDATE users SET manager = \(user.manager) WHERE name = \(user.name)")
            }
        }
    }

    public func importPackages(_ packages: [PublishedPackage]) async throws {
        try await plainTransaction { writer in
            for package in packages {
                try await writer.rows(
                    """
                    INSERT INTO packages (version, name, source, json, published_at)
                    VALUES (\(package.version), \(package.name), \(package.source), \(package.json),
                        \(StoreTime(package.publishedAt)))
                    """)
                for role in package.roles {
                    try await writer.rows(
                        "INSERT INTO package_roles (role, version) VALUES (\(role), \(package.version))")
                }
            }
        }
    }

    public func importDevices(_ devices: [Device]) async throws {
        try await plainTransaction { writer in
            for device in devices {
                try await writer.rows(
                    """
                    INSERT INTO devices (id, user_name, name, created_at, last_seen_at, revoked_at)
                    VALUES (\(device.id), \(device.user), \(device.name), \(StoreTime(device.createdAt)),
                        \(device.lastSeenAt.map(StoreTime.init)), \(device.revokedAt.map(StoreTime.init)))
                    """)
            }
        }
    }

    public func importSessions(_ sessions: [Session]) async throws {
        try await plainTransaction { writer in
            for session in sessions {
                try await writer.rows(
                    """
                    INSERT INTO sessions (token_hash, user_name, created_at, expires_at, device)
                    VALUES (\(session.tokenHash), \(session.user), \(StoreTime(session.createdAt)),
                        \(StoreTime(session.expiresAt)), \(session.device))
                    """)
            }
        }
    }

    public func importRefreshTokens(_ tokens: [RefreshToken]) async throws {
        try await plainTransaction { writer in
            for token in tokens {
                try await writer.rows(
                    """
                    INSERT INTO refresh_tokens (token_hash, device, user_name, created_at, expires_at)
                    VALUES (\(token.tokenHash), \(token.device), \(token.user), \(StoreTime(token.createdAt)),
                        \(StoreTime(token.expiresAt)))
                    """)
            }
        }
    }

    public func importRevokedTokens(_ tokens: [RevokedToken]) async throws {
        try await plainTransaction { writer in
            for token in tokens {
                try await writer.rows(
                    """
                    INSERT INTO revoked_tokens (token_hash, device, expires_at)
                    VALUES (\(token.tokenHash), \(token.device), \(StoreTime(token.expiresAt)))
                    """)
            }
        }
    }

    /// One transaction holding the counter's lock, one `unnest` statement per table, sequence numbers as given.
    public func importRecords(_ records: [CRMModel.Record]) async throws {
        guard !records.isEmpty else { return }
        let rows = records.map(EncodedRecord.init)
        let seqs = records.map(\.seq)
        // Keys as the rebuild keeps them: a source written before keys had a constraint may hold one twice.
        try await recordTransaction { writer in
            try await Self.insertRows(rows, seqs: seqs, strictKeys: false, writer)
        }
    }

    public func importOpResults(_ results: [StoredOpResult]) async throws {
        guard !results.isEmpty else { return }
        _ = try await plainTransaction { writer in
            try await writer.rows(
                """
                INSERT INTO op_results (device, op_id, result, created_at)
                SELECT * FROM unnest(\(results.map(\.device)), \(results.map(\.opId)),
                    \(results.map { String(decoding: $0.result, as: UTF8.self) }),
                    \(results.map { PostgresRecordRow.millis($0.createdAt) }))
                """)
        }
    }

    public func importSyncSessions(_ sessions: [SyncSessionRow]) async throws {
        try await plainTransaction { writer in
            for session in sessions {
                let filter = String(decoding: session.filter, as: UTF8.self)
                let counts = try Self.syncJSON(session.counts)
                let clientCounts = try session.clientCounts.map { try Self.syncJSON($0) }
                let errors = try Self.syncJSON(session.errors)
                try await writer.rows(
                    """
                    INSERT INTO sync_sessions (\(unescaped: Self.syncSessionColumns))
                    VALUES (\(session.id), \(session.user), \(session.device),
                        \(PostgresRecordRow.millis(session.startedAt)), \(PostgresRecordRow.millis(session.expiresAt)),
                        \(session.endedAt.map(PostgresRecordRow.millis)), \(filter), \(counts), \(clientCounts),
                        \(errors))
                    """)
            }
        }
    }

    public func importAttachment(_ attachment: StoredAttachment) async throws {
        try await execute(
            """
            INSERT INTO attachments (sha256, size, media_type, stored_at)
            VALUES (\(attachment.sha256), \(attachment.size), \(attachment.mediaType), \(StoreTime(attachment.storedAt)))
            """)
    }

    public func importAttachmentContent(sha256: String, start: Int64, bytes: Data) async throws {
        try await execute(
            """
            INSERT INTO attachment_chunks (sha256, start, size, data)
            VALUES (\(sha256), \(start), \(Int32(bytes.count)), \(bytes))
            """)
    }

    public func finishImport(lastSequence: Int64, purgedSequence: Int64) async throws {
        try await recordTransaction { writer in
            try await writer.rows("UPDATE meta SET value = \(String(lastSequence)) WHERE key = 'seq'")
            try await writer.rows("DELETE FROM meta WHERE key = 'purged_seq'")
            if purgedSequence > 0 {
                try await writer.rows("INSERT INTO meta (key, value) VALUES ('purged_seq', \(String(purgedSequence)))")
            }
        }
    }

    public func renewEpoch() async throws -> SyncMeta {
        try await plainTransaction { writer in
            try await writer.rows("UPDATE meta SET value = replace(gen_random_uuid()::text, '-', '') WHERE key = 'epoch'")
            try await writer.rows(
                """
                UPDATE meta SET value = replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', '')
                WHERE key = 'cursor_key'
                """)
        }
        return try await syncMeta()
    }
}
