import CRMModel
import CRMStore
import Foundation
import GRDB

extension SQLiteStore {
    public func storedAttachment(sha256: String) async throws -> StoredAttachment? {
        try await read { db in try Self.stored(sha256, in: db) }
    }

    public func attachmentUpload(sha256: String, user: String) async throws -> AttachmentUpload? {
        try await read { db in try Self.upload(sha256, user, in: db) }
    }

    public func startUpload(sha256: String, user: String, length: Int64, mediaType: String, at date: Date)
        async throws -> AttachmentUpload
    {
        try await write { db in
            let now = RecordRow.millis(date)
            if var upload = try Self.upload(sha256, user, in: db), upload.length == length {
                try db.execute(
                    sql: "UPDATE attachment_uploads SET media_type = ?, updated_at = ? WHERE sha256 = ? AND user = ?",
                    arguments: [mediaType, now, sha256, user])
                upload.mediaType = mediaType
                upload.updatedAt = RecordRow.date(now)
                return upload
            }
            try Self.discardUpload(sha256, user, in: db)
            try db.execute(
                sql: """
                    INSERT INTO attachment_uploads (sha256, user, length, media_type, received, started_at, updated_at)
                    VALUES (?, ?, ?, ?, 0, ?, ?)
                    """, arguments: [sha256, user, length, mediaType, now, now])
            return AttachmentUpload(
                sha256: sha256, user: user, length: length, mediaType: mediaType, received: 0,
                startedAt: RecordRow.date(now), updatedAt: RecordRow.date(now))
        }
    }

    public func appendUpload(sha256: String, user: String, offset: Int64, bytes: Data, at date: Date) async throws
        -> UploadAppend
    {
        try await write { db in
            guard var upload = try Self.upload(sha256, user, in: db) else {
                throw StoreError.notFound("upload of \(sha256) by \(user)")
            }
            guard upload.received == offset else { return .offsetMismatch(received: upload.received) }
            guard offset + Int64(bytes.count) <= upload.length else { return .tooLong(length: upload.length) }
            let insert = try db.makeStatement(
                sql: "INSERT INTO attachment_upload_chunks (sha256, user, start, size, data) VALUES (?, ?, ?, ?, ?)")
            var position = bytes.startIndex
            while position < bytes.endIndex {
                let end = min(position + StoredAttachment.chunkSize, bytes.endIndex)
                let start = offset + Int64(position - bytes.startIndex)
                try insert.execute(arguments: [sha256, user, start, end - position, bytes[position..<end]])
                position = end
            }
            upload.received += Int64(bytes.count)
            upload.updatedAt = RecordRow.date(RecordRow.millis(date))
            try db.execute(
                sql: "UPDATE attachment_uploads SET received = ?, updated_at = ? WHERE sha256 = ? AND user = ?",
                arguments: [upload.received, RecordRow.millis(date), sha256, user])
            return .appended(upload)
        }
    }

    public func finishUpload<Digest: ContentDigest>(
        sha256: String, user: String, digest: Digest.Type, at date: Date
    ) async throws -> UploadFinish {
        // Hashed in a read (a snapshot), so writers are not held up for the length of a large file; the write
        // then moves the rows only if the upload is still the one hashed. Appends cannot change a complete
        // upload, but a restart with another length could, and then the hash is taken again.
        while true {
            let hashed: (AttachmentUpload, String)? = try await read { db in
                guard let upload = try Self.upload(sha256, user, in: db), upload.isComplete else { return nil }
                return (upload, try Self.digest(sha256, user, length: upload.length, Digest.self, in: db))
            }
            guard let (upload, actual) = hashed else {
                return try await read { db in
                    if let upload = try Self.upload(sha256, user, in: db) { return .incomplete(upload) }
                    if let stored = try Self.stored(sha256, in: db) { return .stored(stored) }
                    throw StoreError.notFound("upload of \(sha256) by \(user)")
                }
            }
            let outcome: UploadFinish? = try await write { db in
                guard try Self.upload(sha256, user, in: db) == upload else { return nil }
                guard actual == sha256 else {
                    try Self.discardUpload(sha256, user, in: db)
                    return .mismatch(actual: actual)
                }
                try db.execute(
                    sql: "INSERT OR IGNORE INTO attachment_receipts (sha256, user) VALUES (?, ?)",
                    arguments: [sha256, user])
                if let stored = try Self.stored(sha256, in: db) {
                    try Self.discardUpload(sha256, user, in: db)
                    return .stored(stored)
                }
                let stored = StoredAttachment(
                    sha256: sha256, size: upload.length, mediaType: upload.mediaType,
                    storedAt: RecordRow.date(RecordRow.millis(date)))
                try db.execute(
                    sql: "INSERT INTO attachments (sha256, size, media_type, stored_at) VALUES (?, ?, ?, ?)",
                    arguments: [sha256, stored.size, stored.mediaType, RecordRow.millis(date)])
                try db.execute(
                    sql: """
                        INSERT INTO attachment_chunks (sha256, start, size, data)
                        SELECT sha256, start, size, data FROM attachment_upload_chunks
                        WHERE sha256 = ? AND user = ? ORDER BY start
                        """, arguments: [sha256, user])
                try Self.discardUpload(sha256, user, in: db)
                return .stored(stored)
            }
            if let outcome { return outcome }
        }
    }

    public func hasUploaded(sha256: String, user: String) async throws -> Bool {
        try await read { db in
            try Bool.fetchOne(
                db, sql: "SELECT EXISTS (SELECT 1 FROM attachment_receipts WHERE sha256 = ? AND user = ?)",
                arguments: [sha256, user]) ?? false
        }
    }

    public func readAttachment(sha256: String, offset: Int64, maxLength: Int) async throws -> Data {
        guard maxLength > 0, offset >= 0 else { return Data() }
        return try await read { db in
            // The row holding `offset` by the key (the last that starts at or before it), then the rows after it
            // up to the end of the range: a read costs the rows it returns, wherever in the content it starts.
            guard
                let first = try Int64.fetchOne(
                    db,
                    sql: """
                        SELECT start FROM attachment_chunks WHERE sha256 = ? AND start <= ?
                        ORDER BY start DESC LIMIT 1
                        """, arguments: [sha256, offset])
            else { return Data() }
            let end = offset + Int64(maxLength)
            var output = Data()
            let rows = try Row.fetchCursor(
                db,
                sql: """
                    SELECT start, data FROM attachment_chunks WHERE sha256 = ? AND start >= ? AND start < ?
                    ORDER BY start
                    """, arguments: [sha256, first, end])
            while let row = try rows.next() {
                let start: Int64 = row[0]
                try row.withUnsafeData(atIndex: 1) { data in
                    guard let data else { return }
                    let from = Int(max(offset - start, 0))
                    let to = Int(min(end - start, Int64(data.count)))
                    if from < to { output.append(data[data.startIndex + from..<data.startIndex + to]) }
                }
            }
            return output
        }
    }

    public func attachmentHolders(sha256: String) async throws -> [AttachmentHolder] {
        try await read { db in
            try Row.fetchAll(
                db, sql: "SELECT source_id, field FROM record_refs WHERE target_id = ? ORDER BY source_id, field",
                arguments: [ReferenceIndex.attachmentPrefix + sha256]
            ).map { AttachmentHolder(recordID: $0[0], field: $0[1]) }
        }
    }

    public func dropUploads(untouchedSince date: Date) async throws -> Int {
        try await write { db in
            let cutoff = RecordRow.millis(date)
            try db.execute(
                sql: """
                    DELETE FROM attachment_upload_chunks WHERE (sha256, user) IN
                      (SELECT sha256, user FROM attachment_uploads WHERE updated_at < ?)
                    """, arguments: [cutoff])
            try db.execute(sql: "DELETE FROM attachment_uploads WHERE updated_at < ?", arguments: [cutoff])
            return db.changesCount
        }
    }

    // MARK: - Rows

    static func stored(_ sha256: String, in db: Database) throws -> StoredAttachment? {
        try Row.fetchOne(
            db, sql: "SELECT size, media_type, stored_at FROM attachments WHERE sha256 = ?", arguments: [sha256]
        ).map { StoredAttachment(sha256: sha256, size: $0[0], mediaType: $0[1], storedAt: RecordRow.date($0[2])) }
    }

    static func upload(_ sha256: String, _ user: String, in db: Database) throws -> AttachmentUpload? {
        try Row.fetchOne(
            db,
            sql: """
                SELECT length, media_type, received, started_at, updated_at FROM attachment_uploads
                WHERE sha256 = ? AND user = ?
                """, arguments: [sha256, user]
        ).map { row in
            AttachmentUpload(
                sha256: sha256, user: user, length: row[0], mediaType: row[1], received: row[2],
                startedAt: RecordRow.date(row[3]), updatedAt: RecordRow.date(row[4]))
        }
    }

    static func discardUpload(_ sha256: String, _ user: String, in db: Database) throws {
        try db.execute(
            sql: "DELETE FROM attachment_upload_chunks WHERE sha256 = ? AND user = ?", arguments: [sha256, user])
        try db.execute(sql: "DELETE FROM attachment_uploads WHERE sha256 = ? AND user = ?", arguments: [sha256, user])
    }

    /// The digest of an upload's rows in order, one row in memory at a time. Rows that do not join up into
    /// `length` bytes (which appends never write) hash as what they are, so the check fails and they go.
    static func digest<Digest: ContentDigest>(
        _ sha256: String, _ user: String, length: Int64, _ type: Digest.Type, in db: Database
    ) throws -> String {
        var digest = Digest()
        var position: Int64 = 0
        let rows = try Row.fetchCursor(
            db, sql: "SELECT start, data FROM attachment_upload_chunks WHERE sha256 = ? AND user = ? ORDER BY start",
            arguments: [sha256, user])
        while let row = try rows.next() {
            let start: Int64 = row[0]
            guard start == position else { return "rows out of order at byte \(position)" }
            try row.withUnsafeData(atIndex: 1) { data in
                guard let data else { return }
                data.withUnsafeBytes { digest.update($0) }
                position += Int64(data.count)
            }
        }
        guard position == length else { return "\(position) bytes stored of \(length)" }
        return digest.hexDigest()
    }
}
