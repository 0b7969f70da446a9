extension PostgresSchema {
    /// The attachment store: content by SHA-256 in `bytea` rows of at most 256 KiB, keyed by their byte offset
    /// (`start`) so that a range read finds its rows by key, and each user's unfinished uploads.
    ///
    /// Chunks are stored `EXTERNAL` (out of line, uncompressed): most attachments are compressed already, and
    /// a range read then fetches only the slice it returns. Which live records list a hash is not here:
    /// `record_refs` holds a `sha256:<hex>` target per listing, written with the record.
    static let attachments = Migration(
        name: "v1-attachments",
        statements: [
            """
            CREATE TABLE attachments (
                sha256 TEXT PRIMARY KEY,
                size BIGINT NOT NULL,
                media_type TEXT NOT NULL,
                stored_at TIMESTAMPTZ NOT NULL
            )
            """,
            """
            CREATE TABLE attachment_chunks (
                sha256 TEXT NOT NULL REFERENCES attachments (sha256),
                start BIGINT NOT NULL,
                size INTEGER NOT NULL,
                data BYTEA NOT NULL,
                PRIMARY KEY (sha256, start)
            )
            """,
            "ALTER TABLE attachment_chunks ALTER COLUMN data SET STORAGE EXTERNAL",
            """
            CREATE TABLE attachment_uploads (
                sha256 TEXT NOT NULL,
                user_name TEXT NOT NULL,
                length BIGINT NOT NULL,
                media_type TEXT NOT NULL,
                received BIGINT NOT NULL,
                started_at TIMESTAMPTZ NOT NULL,
                updated_at TIMESTAMPTZ NOT NULL,
                PRIMARY KEY (sha256, user_name)
            )
            """,
            "CREATE INDEX attachment_uploads_updated ON attachment_uploads (updated_at)",
            """
            CREATE TABLE attachment_upload_chunks (
                sha256 TEXT NOT NULL,
                user_name TEXT NOT NULL,
                start BIGINT NOT NULL,
                size INTEGER NOT NULL,
                data BYTEA NOT NULL,
                PRIMARY KEY (sha256, user_name, start),
                FOREIGN KEY (sha256, user_name) REFERENCES attachment_uploads (sha256, user_name) ON DELETE CASCADE
            )
            """,
            "ALTER TABLE attachment_upload_chunks ALTER COLUMN data SET STORAGE EXTERNAL",
        ])

    /// Who sent the whole content of a hash (`AttachmentStore.hasUploaded`).
    static let attachmentReceipts = Migration(
        name: "v3-attachment-receipts",
        statements: [
            """
            CREATE TABLE attachment_receipts (
                sha256 TEXT NOT NULL,
                user_name TEXT NOT NULL,
                PRIMARY KEY (sha256, user_name)
            )
            """
        ])
}
