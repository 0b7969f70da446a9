import CRMModel
import Foundation

/// Records of every package-defined type, with the server-wide change sequence and tombstones.
///
/// Operations are coarse and atomic: each runs in one transaction, assigns the next sequence numbers, and
/// keeps the reference and team indexes in step with the record.
public protocol RecordStore: Sendable {
    /// Stores a new record, giving it the next sequence number. Every id in `references` must name a live
    /// record, checked in the same transaction.
    func insert(_ record: Record, references: Set<String>) async throws -> Record

    /// Stores many new records in one transaction (imports, demo data); they must not exist yet.
    func insertBatch(_ records: [Record]) async throws

    /// The record with this id, tombstones included.
    func record(id: String) async throws -> Record?

    /// The records with these ids that exist, tombstones included, in no particular order.
    func records(ids: [String]) async throws -> [Record]

    /// A page of live records of one type.
    func list(_ query: RecordQuery) async throws -> RecordListPage

    /// A page of the live records of one type that match a text, best match first (`SearchQuery`).
    func search(_ query: SearchQuery) async throws -> RecordListPage

    /// Brings a text index that writes only note up to date (SQLite's), returning how many records it
    /// indexed; a store whose index follows each write (PostgreSQL's) has nothing to do. `search` does it first,
    /// so this is for keeping the index fresh between searches.
    func refreshSearchIndex() async throws -> Int

    /// Moves what the write-ahead log holds into the database file, off the path of requests, returning the log
    /// pages it moved (SQLite's; once called, commits leave the log to these calls, with a bound as a safety
    /// net). A store whose server does this on its own (PostgreSQL's checkpointer) has nothing to do.
    func checkpointLog() async throws -> Int

    /// Replaces a live record by `change(current)` in one transaction.
    ///
    /// - Parameters:
    ///   - expectedVersion: when set, a record at another version is refused with `versionMismatch`.
    ///   - references: ids the new record references, each checked to be live in the same transaction.
    /// - Returns: the stored record; unchanged (same version) when `change` changed nothing.
    func update(
        id: String, expectedVersion: Int?, references: Set<String>,
        change: @escaping @Sendable (Record) throws -> Record
    ) async throws -> Record

    /// Deletes a live record, following each reference's `onDelete` rule (`rules(type)` lists the reference
    /// fields that may point to a record of `type`): cascading deletes, clearing references, or refusing
    /// with `restricted`. All or nothing.
    func delete(
        id: String, expectedVersion: Int?, by user: String, at time: Date,
        rules: @escaping @Sendable (String) -> [ReferenceRule]
    ) async throws -> DeleteOutcome

    /// The change feed: records (tombstones included) whose last change has a sequence number above `seq`,
    /// in sequence order, at most `limit`. It never skips a commit: a change with a lower number than one
    /// already returned is never committed later.
    func changes(after seq: Int64, limit: Int) async throws -> [Record]

    /// How many live records of each type.
    func countByType() async throws -> [String: Int]

    /// The last sequence number given to a change.
    func lastSequence() async throws -> Int64
}
