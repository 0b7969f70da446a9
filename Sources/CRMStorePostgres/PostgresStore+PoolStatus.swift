import CRMStore
import Synchronization

extension PostgresStore: PoolStatus {
    /// Store calls holding a connection, and those still waiting for one (counted by `leased`).
    public var poolUse: PoolUse {
        let held = usage.held.load(ordering: .relaxed)
        let leases = usage.leases.load(ordering: .relaxed)
        return PoolUse(size: configuration.maxConnections, inUse: held, waiting: max(0, leases - held))
    }
}

/// Counts of the store calls that want a connection (`leases`) and that have one (`held`).
final class PoolCounter: Sendable {
    let leases = Atomic<Int>(0)
    let held = Atomic<Int>(0)

    /// Runs `body` while it counts as holding a connection.
    func holding<T>(_ body: () async throws -> T) async rethrows -> T {
        held.wrappingAdd(1, ordering: .relaxed)
        defer { held.wrappingSubtract(1, ordering: .relaxed) }
        return try await body()
    }
}
