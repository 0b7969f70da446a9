import CRMModel
import CRMStore
import Foundation
import GRDB
import Synchronization

/// A push batch's view of its write transaction. Every call first checks whether the push's task was
/// cancelled, so a cancelled push stops at its next statement and its transaction rolls back (interrupting
/// SQLite from outside may come too late on a loaded machine).
struct SQLitePushTransaction: PushTransaction {
    let db: Database
    let cancelled: CancellationFlag
    /// The global keys its record writes keep.
    let keys: GlobalKeys

    private func checkCancelled() throws {
        if cancelled.isRaised { throw CancellationError() }
    }

    func record(id: String) throws -> CRMModel.Record? {
        try checkCancelled()
        return try RecordRow.fetch(id: id, in: db)
    }

    func insert(_ record: CRMModel.Record) throws -> CRMModel.Record {
        try checkCancelled()
        if try Bool.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM records WHERE id = ?"), arguments: [record.id]) != nil {
            throw StoreError.alreadyExists(record.id)
        }
        try SQLiteStore.checkLive(ReferenceIndex.recordIDs(of: record), in: db)
        var stored = record
        stored.seq = try db.reserveSequence()
        try RecordRow.save(stored, keys: keys, in: db)
        return stored
    }

    func update(_ record: CRMModel.Record) throws -> CRMModel.Record {
        try checkCancelled()
        try SQLiteStore.checkLive(ReferenceIndex.recordIDs(of: record), in: db)
        var stored = record
        stored.seq = try db.reserveSequence()
        try RecordRow.save(stored, keys: keys, in: db)
        return stored
    }

    func delete(_ record: CRMModel.Record, by user: String, at time: Date, rules: (String) -> [ReferenceRule]) throws
        -> DeleteOutcome
    {
        var outcome = DeleteOutcome(deleted: [], updated: [])
        try SQLiteStore.delete(record, by: user, at: time, rules: rules, outcome: &outcome, keys: keys, in: db)
        return outcome
    }

    func matching(type: String, values: [String: FieldValue], limit: Int) throws -> [CRMModel.Record] {
        try checkCancelled()
        let query = MatchIndex.lookUp(type: type, values: values, limit: limit)
        if let field = query.indexed { try MatchIndex.ensure(type: type, field: field, folded: true, in: db) }
        return try Row.fetchAll(db.cachedStatement(sql: query.sql), arguments: query.arguments).map(RecordRow.record)
    }

    func opResult(device: String, opId: String) throws -> Data? {
        try checkCancelled()
        return try String.fetchOne(
            db.cachedStatement(sql: "SELECT result FROM op_results WHERE device = ? AND op_id = ?"),
            arguments: [device, opId]
        ).map { Data($0.utf8) }
    }

    func saveOpResult(device: String, opId: String, result: Data, at time: Date) throws {
        try checkCancelled()
        try db.cachedStatement(
            sql: "INSERT OR REPLACE INTO op_results (device, op_id, result, created_at) VALUES (?, ?, ?, ?)"
        ).execute(arguments: [device, opId, String(decoding: result, as: UTF8.self), RecordRow.millis(time)])
    }

    /// The body in a savepoint of the push's transaction, rolled back if it throws. The statements are prepared
    /// once per connection: `Database.inSavepoint` prepares and authorizes them at each of a thousand ops.
    func savepoint<T>(_ body: () throws -> T) throws -> T {
        try checkCancelled()
        try db.cachedStatement(sql: "SAVEPOINT push_op").execute()
        let result: T
        do {
            result = try body()
        } catch {
            try db.cachedStatement(sql: "ROLLBACK TRANSACTION TO SAVEPOINT push_op").execute()
            try db.cachedStatement(sql: "RELEASE SAVEPOINT push_op").execute()
            throw error
        }
        try db.cachedStatement(sql: "RELEASE SAVEPOINT push_op").execute()
        return result
    }
}

/// Raised when a push's task is cancelled; read by the writer thread at each call of the push.
final class CancellationFlag: Sendable {
    private let raised = Mutex(false)

    var isRaised: Bool { raised.withLock { $0 } }

    func raise() { raised.withLock { $0 = true } }
}
