extension PostgresSchema {
    /// The tables of the store's records part.
    static let records = Migration(name: "v1-records", statements: [])
}
