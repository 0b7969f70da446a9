import CRMStore
import Logging
import NIOCore
import PostgresNIO

extension PostgresConnection {
    /// Runs one statement and returns its rows, or fails with `unavailable` when the connection is closed.
    ///
    /// Why not `query` as it is: postgres-nio (1.33) hands a statement to its channel without a write promise,
    /// and once a closed connection's pipeline is torn down, a statement written to it is dropped and its
    /// answer never comes: a push whose connection the database ended while it ran waited forever. Here the
    /// statement is written on the connection's event loop, in the same turn as the check that it is still
    /// open, so it reaches the handler, which answers every statement of a closing connection with an error.
    @discardableResult
    func rows(_ query: PostgresQuery, logger: Logger) async throws -> [PostgresRow] {
        try await statement(query, logger: logger).rows
    }

    /// `rows`, with the command tag (`COMMIT`, `ROLLBACK`, `INSERT 0 1`) the statement ended with.
    func statement(_ query: PostgresQuery, logger: Logger) async throws -> PostgresQueryResult {
        try await eventLoop.flatSubmit {
            guard !self.isClosed else {
                return self.eventLoop.makeFailedFuture(
                    StoreError.unavailable("the database connection was lost; retry shortly"))
            }
            return self.query(query, logger: logger)
        }.get()
    }

    /// Runs `body` in one transaction: `BEGIN`, then `COMMIT` when it returns or `ROLLBACK` when it throws
    /// (postgres-nio's `withTransaction` runs its statements through the path `rows` avoids).
    func transaction<T: Sendable>(logger: Logger, _ body: (PostgresConnection) async throws -> T) async throws -> T {
        try await rows("BEGIN", logger: logger)
        let value: T
        do {
            value = try await body(self)
        } catch {
            _ = try? await rows("ROLLBACK", logger: logger)
            throw error
        }
        try await rows("COMMIT", logger: logger)
        return value
    }
}
