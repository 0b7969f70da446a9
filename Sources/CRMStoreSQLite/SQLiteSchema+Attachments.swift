import GRDB

extension SQLiteSchema {
    /// The attachment store: content by SHA-256 in rows of at most 256 KiB, and each user's unfinished uploads.
    ///
    /// Chunk tables are rowid tables (a BLOB of 256 KiB does not belong in an index b-tree) with their key as a
    /// unique index; a row's `start` is its byte offset in the content, so a range read finds its rows by key.
    /// Which live records list a hash is not here: `record_refs` holds a `sha256:<hex>` target per listing.
    static func registerAttachments(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v4-attachments") { db in
            try db.execute(
                sql: """
                    CREATE TABLE attachments (
                        sha256 TEXT PRIMARY KEY,
                        size INTEGER NOT NULL,
                        media_type TEXT NOT NULL,
                        stored_at INTEGER NOT NULL
                    ) WITHOUT ROWID;

                    CREATE TABLE attachment_chunks (
                        sha256 TEXT NOT NULL,
                        start INTEGER NOT NULL,
                        size INTEGER NOT NULL,
                        data BLOB NOT NULL,
                        UNIQUE (sha256, start)
                    );

                    CREATE TABLE attachment_uploads (
                        sha256 TEXT NOT NULL,
                        user TEXT NOT NULL,
                        length INTEGER NOT NULL,
                        media_type TEXT NOT NULL,
                        received INTEGER NOT NULL,
                        started_at INTEGER NOT NULL,
                        updated_at INTEGER NOT NULL,
                        PRIMARY KEY (sha256, user)
                    ) WITHOUT ROWID;
                    CREATE INDEX attachment_uploads_updated ON attachment_uploads (updated_at);

                    CREATE TABLE attachment_upload_chunks (
                        sha256 TEXT NOT NULL,
                        user TEXT NOT NULL,
                        start INTEGER NOT NULL,
                        size INTEGER NOT NULL,
                        data BLOB NOT NULL,
                        UNIQUE (sha256, user, start)
                    );
                    """)
        }
    }

    /// Who sent the whole content of a hash (`AttachmentStore.hasUploaded`).
    static func registerAttachmentReceipts(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v7-attachment-receipts") { db in
            try db.execute(
                sql: """
                    CREATE TABLE attachment_receipts (
                        sha256 TEXT NOT NULL,
                        user TEXT NOT NULL,
                        PRIMARY KEY (sha256, user)
                    ) WITHOUT ROWID
                    """)
        }
    }
}
