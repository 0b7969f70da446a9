extension PostgresSchema {
    /// The migrations of the store's parts, in the order they are applied. Append; never edit one that shipped.
    static var storeMigrations: [Migration] {
        [accounts, records, sync, attachments, keys, attachmentReceipts, search, fetched]
    }
}
