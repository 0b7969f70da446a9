/// How busy a store's connection pool is, for the server's metrics (`crm_db_pool_*`).
///
/// Only the PostgreSQL store reports it (GRDB does not expose how many of its readers are busy); the protocol
/// lets the server read it without importing the PostgreSQL driver, which stays in its own target.
public protocol PoolStatus: Sendable {
    /// The pool's size and use right now.
    var poolUse: PoolUse { get }
}

/// A connection pool's size and use at one moment.
public struct PoolUse: Sendable, Equatable {
    /// The most connections the pool opens.
    public var size: Int
    /// Connections running a store call now.
    public var inUse: Int
    /// Store calls waiting for a connection.
    public var waiting: Int

    public init(size: Int, inUse: Int, waiting: Int) {
        self.size = size
        self.inUse = inUse
        self.waiting = waiting
    }
}
