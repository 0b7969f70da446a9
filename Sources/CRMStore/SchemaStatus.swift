/// A store that can say whether its database schema is the one this program expects, for the server's
/// readiness check (`GET /readyz`). Both stores implement it.
public protocol SchemaStatus: Sendable {
    /// Throws `StoreError.database` naming what to do (run `crm-server migrate`, or the newer server) when
    /// the schema lacks a migration this program needs or has one it does not know; `StoreError.unavailable`
    /// when the database cannot be reached.
    func checkSchema() async throws
}
