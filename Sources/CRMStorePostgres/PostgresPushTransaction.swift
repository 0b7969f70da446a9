import CRMModel
import CRMStore
import Foundation
import PostgresNIO

/// A push batch's synchronous view of its write transaction: it runs on the `BlockingBridge`'s thread, and
/// each method blocks while the awaiting task runs its statements on the transaction's connection.
final class PostgresPushTransaction: PushTransaction {
    private let writer: PostgresRecordWriter
    private let bridge: BlockingBridge
    /// Savepoints open, to name nested ones apart.
    private var depth = 0

    init(writer: PostgresRecordWriter, bridge: BlockingBridge) {
        self.writer = writer
        self.bridge = bridge
    }

    func record(id: String) throws -> CRMModel.Record? {
        try bridge.call { [writer] in try await writer.record(id: id) }
    }

    func insert(_ record: CRMModel.Record) throws -> CRMModel.Record {
        try bridge.call { [writer] in
            try await writer.insert(record, references: ReferenceIndex.recordIDs(of: record))
        }
    }

    func update(_ record: CRMModel.Record) throws -> CRMModel.Record {
        try bridge.call { [writer] in
            try await writer.checkLive(ReferenceIndex.recordIDs(of: record))
            return try await writer.save(record)
        }
    }

    func delete(_ record: CRMModel.Record, by user: String, at time: Date, rules: (String) -> [ReferenceRule]) throws
        -> DeleteOutcome
    {
        try withoutActuallyEscaping(rules) { rules in
            let lookup = RuleLookup(rules)
            // The task may hold the job (and so the lookup) a moment after answering: the lookup lets go of the
            // closure first, so it does not outlive this call.
            defer { lookup.release() }
            return try bridge.call { [writer] in
                var outcome = DeleteOutcome(deleted: [], updated: [])
                try await writer.delete(record, by: user, at: time, rules: lookup.rules, outcome: &outcome)
                return outcome
            }
        }
    }

    func matching(type: String, values: [String: FieldValue], limit: Int) throws -> [CRMModel.Record] {
        try bridge.call { [writer] in try await writer.matching(type: type, values: values, limit: limit) }
    }

    func opResult(device: String, opId: String) throws -> Data? {
        try bridge.call { [writer] in try await writer.opResult(device: device, opId: opId) }
    }

    func saveOpResult(device: String, opId: String, result: Data, at time: Date) throws {
        try bridge.call { [writer] in
            try await writer.saveOpResult(device: device, opId: opId, result: result, at: time)
        }
    }

    /// `pg_notify` in the push's transaction: PostgreSQL delivers it at commit, to every listening process.
    func announceAtCommit(users: Set<String>) throws -> Bool {
        let query = PostgresStore.notification(users: users)
        try bridge.call { [writer] in try await writer.rows(query) }
        return true
    }

    /// `SAVEPOINT`, then `RELEASE` when `body` returns, or `ROLLBACK TO` (and `RELEASE`) when it throws.
    func savepoint<T>(_ body: () throws -> T) throws -> T {
        depth += 1
        defer { depth -= 1 }
        let name = "push_\(depth)"
        try bridge.call { [writer] in try await writer.rows(PostgresQuery(unsafeSQL: "SAVEPOINT \(name)")) }
        let value: T
        do {
            value = try body()
        } catch {
            try bridge.call { [writer] in
                try await writer.rows(PostgresQuery(unsafeSQL: "ROLLBACK TO SAVEPOINT \(name)"))
                try await writer.rows(PostgresQuery(unsafeSQL: "RELEASE SAVEPOINT \(name)"))
            }
            throw error
        }
        try bridge.call { [writer] in try await writer.rows(PostgresQuery(unsafeSQL: "RELEASE SAVEPOINT \(name)")) }
        return value
    }
}

/// The caller's `onDelete` rules, handed to the task that runs the delete. Not `Sendable` by type, but safe:
/// the closure belongs to the bridge's thread, which stays blocked in `call` while the task uses it, and lets
/// go of it (`release`) once the call has returned, before `withoutActuallyEscaping` checks it did not escape.
private final class RuleLookup: @unchecked Sendable {
    private var closure: ((String) -> [ReferenceRule])?

    init(_ closure: @escaping (String) -> [ReferenceRule]) {
        self.closure = closure
    }

    func rules(_ type: String) -> [ReferenceRule] {
        closure?(type) ?? []
    }

    func release() {
        closure = nil
    }
}
