import CRMModel
import CRMStore
import Foundation
import GRDB

extension SQLiteStore {
    public func insert(_ record: CRMModel.Record, references: Set<String>) async throws -> CRMModel.Record {
        try await recordWrite { db, keys in
            if try RecordRow.fetch(id: record.id, in: db) != nil { throw StoreError.alreadyExists(record.id) }
            try Self.checkLive(references, in: db)
            var stored = record
            stored.seq = try db.reserveSequence()
            try RecordRow.save(stored, keys: keys, in: db)
            return stored
        }
    }

    public func insertBatch(_ records: [CRMModel.Record]) async throws {
        guard !records.isEmpty else { return }
        // Rows are encoded before the write transaction, on two cores, so the writer holds the lock only to
        // insert them.
        let middle = records.count / 2
        async let firstHalf = records[..<middle].map(EncodedRecord.init)
        let secondHalf = records[middle...].map(EncodedRecord.init)
        let rows = await firstHalf + secondHalf
        try await recordWrite { db, keys in
            let first = try db.reserveSequence(Int64(rows.count))
            try EncodedRecord.insert(rows, sequence: { first + Int64($0) }, keys: keys, in: db)
        }
    }

    public func record(id: String) async throws -> CRMModel.Record? {
        try await read { db in try RecordRow.fetch(id: id, in: db) }
    }

    public func records(ids: [String]) async throws -> [CRMModel.Record] {
        try await storedRecords(ids: ids).map { try $0.record() }
    }

    public func storedRecords(ids: [String]) async throws -> [StoredRecord] {
        guard !ids.isEmpty else { return [] }
        return try await read { db in
            var result: [StoredRecord] = []
            for chunk in stride(from: 0, to: ids.count, by: 500) {
                let slice = Array(ids[chunk..<min(chunk + 500, ids.count)])
                let marks = Array(repeating: "?", count: slice.count).joined(separator: ",")
                let rows = try Row.fetchAll(
                    db, sql: "SELECT \(RecordRow.columns) FROM records WHERE id IN (\(marks))",
                    arguments: StatementArguments(slice))
                result += try rows.map(RecordRow.stored)
            }
            return result
        }
    }

    public func update(
        id: String, expectedVersion: Int?, references: Set<String>,
        change: @escaping @Sendable (CRMModel.Record) throws -> CRMModel.Record
    ) async throws -> CRMModel.Record {
        try await recordWrite { db, keys in
            guard let current = try RecordRow.fetch(id: id, in: db), !current.deleted else {
                throw StoreError.notFound(id)
            }
            if let expectedVersion, expectedVersion != current.version {
                throw StoreError.versionMismatch(current: current)
            }
            var updated = try change(current)
            if updated == current { return current }
            try Self.checkLive(references, in: db)
            updated.seq = try db.reserveSequence()
            try RecordRow.save(updated, keys: keys, in: db)
            return updated
        }
    }

    public func delete(
        id: String, expectedVersion: Int?, by user: String, at time: Date,
        rules: @escaping @Sendable (String) -> [ReferenceRule]
    ) async throws -> DeleteOutcome {
        try await recordWrite { db, keys in
            guard let current = try RecordRow.fetch(id: id, in: db), !current.deleted else {
                throw StoreError.notFound(id)
            }
            if let expectedVersion, expectedVersion != current.version {
                throw StoreError.versionMismatch(current: current)
            }
            var outcome = DeleteOutcome(deleted: [], updated: [])
            try Self.delete(current, by: user, at: time, rules: rules, outcome: &outcome, keys: keys, in: db)
            return outcome
        }
    }

    /// Deletes `record` and follows the references to it; a `restrict` anywhere throws and rolls back all.
    static func delete(
        _ record: Record, by user: String, at time: Date, rules: (String) -> [ReferenceRule],
        outcome: inout DeleteOutcome, keys: GlobalKeys, in db: Database
    ) throws {
        let typeRules = rules(record.type)
        let referencing = try Row.fetchAll(
            db.cachedStatement(sql: "SELECT field, source_id FROM record_refs WHERE target_id = ? ORDER BY source_id, field"),
            arguments: [record.id])
        var tombstone = record
        tombstone.deleted = true
        tombstone.version += 1
        tombstone.updatedAt = time
        tombstone.updatedBy = user
        tombstone.seq = try db.reserveSequence()
        try RecordRow.save(tombstone, keys: keys, in: db)
        outcome.deleted.append(tombstone)
        for row in referencing {
            let field: String = row["field"]
            let sourceID: String = row["source_id"]
            guard let source = try RecordRow.fetch(id: sourceID, in: db), !source.deleted else { continue }
            let rule = typeRules.first { $0.sourceType == source.type && $0.field == field }?.onDelete ?? .nullify
            switch rule {
            case .restrict:
                throw StoreError.restricted(sourceType: source.type, sourceID: source.id, field: field)
            case .cascade:
                try delete(source, by: user, at: time, rules: rules, outcome: &outcome, keys: keys, in: db)
            case .nullify:
                var cleared = source.removingReference(record.id, from: field, by: user, at: time)
                guard cleared != source else { continue }
                cleared.seq = try db.reserveSequence()
                try RecordRow.save(cleared, keys: keys, in: db)
                outcome.updated.removeAll { $0.id == cleared.id }
                outcome.updated.append(cleared)
            }
        }
    }

    static func checkLive(_ ids: Set<String>, in db: Database) throws {
        for id in ids.sorted() {
            let live = try Bool.fetchOne(db.cachedStatement(sql: "SELECT deleted = 0 FROM records WHERE id = ?"), arguments: [id])
            if live != true { throw StoreError.missingReference(id) }
        }
    }

    /// SQLite has one writer at a time and numbers are reserved inside the write transaction, so sequence
    /// order is commit order: nothing below a visible number can still be uncommitted.
    public func changes(after seq: Int64, limit: Int) async throws -> [CRMModel.Record] {
        try await storedChanges(after: seq, limit: limit).map { try $0.record() }
    }

    public func storedChanges(after seq: Int64, limit: Int) async throws -> [StoredRecord] {
        try await read { db in
            try Row.fetchAll(
                db, sql: "SELECT \(RecordRow.columns) FROM records WHERE seq > ? ORDER BY seq LIMIT ?",
                arguments: [seq, max(1, limit)]
            ).map(RecordRow.stored)
        }
    }

    public func countByType() async throws -> [String: Int] {
        try await read { db in
            let rows = try Row.fetchAll(db.cachedStatement(sql: "SELECT type, count(*) AS n FROM records WHERE deleted = 0 GROUP BY type"))
            return Dictionary(uniqueKeysWithValues: rows.map { ($0["type"] as String, $0["n"] as Int) })
        }
    }

    public func lastSequence() async throws -> Int64 {
        try await read { db in
            try Int64.fetchOne(db.cachedStatement(sql: "SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'seq'")) ?? 0
        }
    }
}
