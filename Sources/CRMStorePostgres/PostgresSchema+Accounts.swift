extension PostgresSchema {
    /// The tables of the store's accounts part.
    static let accounts = Migration(name: "v1-accounts", statements: [])
}
