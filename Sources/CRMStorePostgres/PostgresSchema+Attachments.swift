extension PostgresSchema {
    /// The tables of the store's attachments part.
    static let attachments = Migration(name: "v1-attachments", statements: [])
}
