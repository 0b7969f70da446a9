import CRMStore

extension PostgresStore: SchemaStatus {
    /// Every migration of `PostgresSchema` applied, and none this program does not know.
    public func checkSchema() async throws {
        try await PostgresSchema.check(self)
    }
}
