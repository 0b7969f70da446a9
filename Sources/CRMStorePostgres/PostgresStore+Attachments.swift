import CRMStore
import Foundation
import NIOCore
import PostgresNIO

extension PostgresStore: AttachmentStore {
    public func storedAttachment(sha256: String) async throws -> StoredAttachment? {
        try await connection { connection in try await self.stored(sha256, on: connection) }
    }

    public func attachmentUpload(sha256: String, user: String) async throws -> AttachmentUpload? {
        try await connection { connection in try await self.upload(sha256, user, on: connection) }
    }

    public func startUpload(sha256: String, user: String, length: Int64, mediaType: String, at date: Date)
        async throws -> AttachmentUpload
    {
        let now = StoreTime(date)
        return try await transaction { connection in
            let fresh = AttachmentUpload(
                sha256: sha256, user: user, length: length, mediaType: mediaType, received: 0, startedAt: now.date,
                updatedAt: now.date)
            // A new upload, or the held one locked: two starts at once take turns.
            let inserted = try await connection.rows(
                """
                INSERT INTO attachment_uploads (sha256, user_name, length, media_type, received, started_at, updated_at)
                VALUES (\(sha256), \(user), \(length), \(mediaType), 0, \(now), \(now))
                ON CONFLICT (sha256, user_name) DO NOTHING RETURNING received
                """, logger: self.logger
            )
            if !inserted.isEmpty { return fresh }
            guard var upload = try await self.upload(sha256, user, on: connection, lock: true) else {
                throw StoreError.notFound("upload of \(sha256) by \(user)")
            }
            if upload.length == length {
                try await connection.rows(
                    """
                    UPDATE attachment_uploads SET media_type = \(mediaType), updated_at = \(now)
                    WHERE sha256 = \(sha256) AND user_name = \(user)
                    """, logger: self.logger)
                upload.mediaType = mediaType
                upload.updatedAt = now.date
                return upload
            }
            // Another length: the bytes held were of something else.
            try await connection.rows(
                "DELETE FROM attachment_upload_chunks WHERE sha256 = \(sha256) AND user_name = \(user)",
                logger: self.logger)
            try await connection.rows(
                """
                UPDATE attachment_uploads SET length = \(length), media_type = \(mediaType), received = 0,
                    started_at = \(now), updated_at = \(now)
                WHERE sha256 = \(sha256) AND user_name = \(user)
                """, logger: self.logger)
            return fresh
        }
    }

    public func appendUpload(sha256: String, user: String, offset: Int64, bytes: Data, at date: Date) async throws
        -> UploadAppend
    {
        let now = StoreTime(date)
        return try await transaction { connection in
            // Locked: of two appends at one offset, the second finds the first's bytes and is told where to go on.
            guard var upload = try await self.upload(sha256, user, on: connection, lock: true) else {
                throw StoreError.notFound("upload of \(sha256) by \(user)")
            }
            guard upload.received == offset else { return .offsetMismatch(received: upload.received) }
            guard offset + Int64(bytes.count) <= upload.length else { return .tooLong(length: upload.length) }
            var position = bytes.startIndex
            while position < bytes.endIndex {
                let end = min(position + StoredAttachment.chunkSize, bytes.endIndex)
                let start = offset + Int64(position - bytes.startIndex)
                try await connection.rows(
                    """
                    INSERT INTO attachment_upload_chunks (sha256, user_name, start, size, data)
                    VALUES (\(sha256), \(user), \(start), \(end - position), \(bytes[position..<end]))
                    """, logger: self.logger)
                position = end
            }
            upload.received += Int64(bytes.count)
            upload.updatedAt = now.date
            try await connection.rows(
                """
                UPDATE attachment_uploads SET received = \(upload.received), updated_at = \(now)
                WHERE sha256 = \(sha256) AND user_name = \(user)
                """, logger: self.logger)
            return .appended(upload)
        }
    }

    public func finishUpload<Digest: ContentDigest>(
        sha256: String, user: String, digest: Digest.Type, at date: Date
    ) async throws -> UploadFinish {
        let now = StoreTime(date)
        return try await transaction { connection in
            // The upload stays locked while its rows are hashed, so nothing changes them in between.
            guard let upload = try await self.upload(sha256, user, on: connection, lock: true) else {
                if let stored = try await self.stored(sha256, on: connection) { return .stored(stored) }
                throw StoreError.notFound("upload of \(sha256) by \(user)")
            }
            guard upload.isComplete else { return .incomplete(upload) }
            let actual = try await self.digest(sha256, user, length: upload.length, Digest.self, on: connection)
            guard actual == sha256 else {
                try await self.discardUpload(sha256, user, on: connection)
                return .mismatch(actual: actual)
            }
            try await connection.rows(
                """
                INSERT INTO attachment_receipts (sha256, user_name) VALUES (\(sha256), \(user))
                ON CONFLICT DO NOTHING
                """, logger: self.logger)
            // Stored once: a second finisher's insert waits for the first to commit, then finds its row.
            let inserted = try await connection.rows(
                """
                INSERT INTO attachments (sha256, size, media_type, stored_at)
                VALUES (\(sha256), \(upload.length), \(upload.mediaType), \(now))
                ON CONFLICT (sha256) DO NOTHING RETURNING sha256
                """, logger: self.logger
            )
            if !inserted.isEmpty {
                try await connection.rows(
                    """
                    INSERT INTO attachment_chunks (sha256, start, size, data)
                    SELECT sha256, start, size, data FROM attachment_upload_chunks
                    WHERE sha256 = \(sha256) AND user_name = \(user)
                    """, logger: self.logger)
            }
            try await self.discardUpload(sha256, user, on: connection)
            guard let stored = try await self.stored(sha256, on: connection) else {
                throw StoreError.database("attachment \(sha256) vanished while it was stored")
            }
            return .stored(stored)
        }
    }

    public func hasUploaded(sha256: String, user: String) async throws -> Bool {
        try await connection { connection in
            try await !connection.rows(
                "SELECT 1 FROM attachment_receipts WHERE sha256 = \(sha256) AND user_name = \(user)",
                logger: self.logger
            ).isEmpty
        }
    }

    public func readAttachment(sha256: String, offset: Int64, maxLength: Int) async throws -> Data {
        guard maxLength > 0, offset >= 0 else { return Data() }
        let end = offset + Int64(maxLength)
        // The row holding `offset` (the last that starts at or before it) and the rows after it up to the end of
        // the range, each cut to the part in range by the server: a read costs the bytes it returns.
        let rows = try await execute(
            """
            SELECT substring(data FROM (greatest(\(offset) - start, 0) + 1)::integer
                FOR greatest(least(\(end) - start, size) - greatest(\(offset) - start, 0), 0)::integer)
            FROM attachment_chunks
            WHERE sha256 = \(sha256) AND start < \(end) AND start >= (
                SELECT start FROM attachment_chunks WHERE sha256 = \(sha256) AND start <= \(offset)
                ORDER BY start DESC LIMIT 1)
            ORDER BY start
            """)
        var output = Data()
        for row in rows {
            var bytes = try row.decode(ByteBuffer.self)
            if let part = bytes.readBytes(length: bytes.readableBytes) { output.append(contentsOf: part) }
        }
        return output
    }

    public func attachmentHolders(sha256: String) async throws -> [AttachmentHolder] {
        // The records part's reference index (`ReferenceIndex`), in which an attachments
        // field lists `sha256:<hex>`; a tombstone keeps no index rows, and the join makes sure of it.
        let rows = try await execute(
            """
            SELECT record_refs.source_id, record_refs.field FROM record_refs
            JOIN records ON records.id = record_refs.source_id AND NOT records.deleted
            WHERE record_refs.target_id = \(ReferenceIndex.attachmentPrefix + sha256)
            ORDER BY record_refs.source_id COLLATE "C", record_refs.field COLLATE "C"
            """)
        return try rows.map { row in
            let (recordID, field) = try row.decode((String, String).self)
            return AttachmentHolder(recordID: recordID, field: field)
        }
    }

    public func dropUploads(untouchedSince date: Date) async throws -> Int {
        // Their rows go with them (ON DELETE CASCADE).
        try await execute("DELETE FROM attachment_uploads WHERE updated_at < \(StoreTime(date)) RETURNING 1").count
    }

    // MARK: - Rows

    func stored(_ sha256: String, on connection: PostgresConnection) async throws -> StoredAttachment? {
        let rows = try await connection.rows(
            "SELECT size, media_type, stored_at FROM attachments WHERE sha256 = \(sha256)", logger: logger
        )
        return try rows.first.map { row in
            let (size, mediaType, storedAt) = try row.decode((Int64, String, StoreTime).self)
            return StoredAttachment(sha256: sha256, size: size, mediaType: mediaType, storedAt: storedAt.date)
        }
    }

    /// `user`'s upload of `sha256`; `lock` holds its row until the transaction ends.
    func upload(_ sha256: String, _ user: String, on connection: PostgresConnection, lock: Bool = false)
        async throws -> AttachmentUpload?
    {
        let rows = try await connection.rows(
            """
            SELECT length, media_type, received, started_at, updated_at FROM attachment_uploads
            WHERE sha256 = \(sha256) AND user_name = \(user) \(unescaped: lock ? "FOR UPDATE" : "")
            """, logger: logger
        )
        return try rows.first.map { row in
            let (length, mediaType, received, startedAt, updatedAt) = try row.decode(
                (Int64, String, Int64, StoreTime, StoreTime).self)
            return AttachmentUpload(
                sha256: sha256, user: user, length: length, mediaType: mediaType, received: received,
                startedAt: startedAt.date, updatedAt: updatedAt.date)
        }
    }

    /// Deletes an upload and (by cascade) its rows.
    func discardUpload(_ sha256: String, _ user: String, on connection: PostgresConnection) async throws {
        try await connection.rows(
            "DELETE FROM attachment_uploads WHERE sha256 = \(sha256) AND user_name = \(user)", logger: logger)
    }

    /// The digest of an upload's rows in order, streamed from the server one row at a time. Rows that do not join
    /// up into `length` bytes (which appends never write) hash as what they are, so the check fails and they go.
    func digest<Digest: ContentDigest>(
        _ sha256: String, _ user: String, length: Int64, _ type: Digest.Type, on connection: PostgresConnection
    ) async throws -> String {
        var digest = Digest()
        var position: Int64 = 0
        let rows = try await connection.rows(
            """
            SELECT start, data FROM attachment_upload_chunks WHERE sha256 = \(sha256) AND user_name = \(user)
            ORDER BY start
            """, logger: logger)
        for row in rows {
            let (start, data) = try row.decode((Int64, ByteBuffer).self)
            guard start == position else { return "rows out of order at byte \(position)" }
            data.withUnsafeReadableBytes { digest.update($0) }
            position += Int64(data.readableBytes)
        }
        guard position == length else { return "\(position) bytes stored of \(length)" }
        return digest.hexDigest()
    }
}
