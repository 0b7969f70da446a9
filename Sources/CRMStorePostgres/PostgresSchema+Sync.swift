extension PostgresSchema {
    /// The tables of the store's sync part.
    static let sync = Migration(name: "v1-sync", statements: [])
}
