import CRMModel
import CRMStore
import Foundation
import PostgresNIO

extension PostgresStore: RecordStore {
    /// How many rows one transaction of `insertBatch` inserts: a bulk load commits in chunks, so the writers it
    /// shuts out (it holds the sequence counter's lock) and the feed's readers wait for one chunk, not the load.
    static let batchChunk = 5_000

    public func insert(_ record: CRMModel.Record, references: Set<String>) async throws -> CRMModel.Record {
        try await recordTransaction { writer in try await writer.insert(record, references: references) }
    }

    /// Inserts in transactions of `batchChunk` rows, each one `unnest` statement per table. Ids are checked
    /// first, all of them, so that a batch naming an existing record stores nothing; each chunk checks its own
    /// again under the counter's lock.
    public func insertBatch(_ records: [CRMModel.Record]) async throws {
        guard !records.isEmpty else { return }
        var ids = Set<String>()
        for record in records where !ids.insert(record.id).inserted { throw StoreError.alreadyExists(record.id) }
        try await onConnection { reader in try await Self.refuseExisting(records.map(\.id), reader) }
        for start in stride(from: 0, to: records.count, by: Self.batchChunk) {
            let rows = records[start..<min(start + Self.batchChunk, records.count)].map(EncodedRecord.init)
            try await recordTransaction { writer in
                try await Self.refuseExisting(rows.map(\.id), writer)
                try await Self.insertRows(rows, writer)
            }
        }
    }

    /// Throws `alreadyExists` for the first of `ids` (in their order) that names a stored record.
    private static func refuseExisting(_ ids: [String], _ writer: PostgresRecordWriter) async throws {
        var existing = Set<String>()
        for row in try await writer.rows("SELECT id FROM records WHERE id = ANY(\(ids))") {
            existing.insert(try row.decode(String.self))
        }
        if let first = ids.first(where: existing.contains) { throw StoreError.alreadyExists(first) }
    }

    /// Inserts encoded rows with consecutive sequence numbers, in their order.
    private static func insertRows(_ rows: [EncodedRecord], _ writer: PostgresRecordWriter) async throws {
        let count = Int64(rows.count)
        let reserved = try await writer.rows(
            "UPDATE meta SET value = (value::bigint + \(count))::text WHERE key = 'seq' RETURNING value::bigint")
        let last = try reserved.first?.decode(Int64.self) ?? count
        try await insertRows(rows, seqs: (0..<count).map { last - count + 1 + $0 }, writer)
    }

    /// Inserts encoded rows with the sequence numbers given (a copy keeps the source's), with their team and
    /// reference and key index rows: one `unnest` statement per table.
    static func insertRows(
        _ rows: [EncodedRecord], seqs: [Int64], strictKeys strict: Bool = true, _ writer: PostgresRecordWriter
    ) async throws {
        try await writer.rows(
            """
            INSERT INTO records (\(unescaped: PostgresRecordRow.columns))
            SELECT id, type, version, seq, deleted, owner, team::jsonb, created_at, updated_at, updated_by,
                fields::jsonb, field_versions
            FROM unnest(\(rows.map(\.id)), \(rows.map(\.type)), \(rows.map { Int64($0.version) }), \(seqs),
                \(rows.map(\.deleted)), \(rows.map(\.owner)), \(rows.map(\.team)), \(rows.map(\.createdAt)),
                \(rows.map(\.updatedAt)), \(rows.map(\.updatedBy)), \(rows.map(\.fields)), \(rows.map(\.fieldVersions)))
                AS row(id, type, version, seq, deleted, owner, team, created_at, updated_at, updated_by, fields,
                    field_versions)
            """)
        let members = rows.flatMap { row in row.members.map { ($0, row.id) } }
        if !members.isEmpty {
            try await writer.rows(
                """
                INSERT INTO record_team (user_name, record_id)
                SELECT * FROM unnest(\(members.map(\.0)), \(members.map(\.1))) ON CONFLICT DO NOTHING
                """)
        }
        let targets = rows.flatMap(\.referenceTargets)
        if !targets.isEmpty {
            let fields = rows.flatMap(\.referenceFields)
            let sources = rows.flatMap { row in Array(repeating: row.id, count: row.referenceTargets.count) }
            try await writer.rows(
                """
                INSERT INTO record_refs (target_id, field, source_id)
                SELECT * FROM unnest(\(targets), \(fields), \(sources)) ON CONFLICT DO NOTHING
                """)
        }
        try await insertKeys(rows, strict: strict, writer)
    }

    /// Inserts the key rows of `rows` (keyed types only) in one statement. `strict`: a key held already, or
    /// twice in `rows`, throws `keyTaken`; otherwise (a copy of data written before keys had a constraint) the
    /// first holder keeps it, as the table's rebuild does.
    private static func insertKeys(_ rows: [EncodedRecord], strict: Bool, _ writer: PostgresRecordWriter)
        async throws
    {
        var types: [String] = [], fields: [String] = [], values: [String] = [], ids: [String] = []
        for row in rows where writer.keys.isKeyed(row.type) {
            for (field, value) in writer.keys.entries(of: row.record) {
                types.append(row.type)
                fields.append(field)
                values.append(value)
                ids.append(row.id)
            }
        }
        guard !ids.isEmpty else { return }
        let inserted = try await writer.rows(
            """
            INSERT INTO record_keys (type, field, value, record_id)
            SELECT type, field, lower(value), id FROM unnest(\(types), \(fields), \(values), \(ids))
                AS key(type, field, value, id)
            ON CONFLICT DO NOTHING RETURNING record_id, field
            """)
        guard strict, inserted.count < ids.count else { return }
        var held = Set<String>()
        for row in inserted {
            let (id, field) = try row.decode((String, String).self)
            held.insert(id + " " + field)
        }
        if let index = ids.indices.first(where: { !held.contains(ids[$0] + " " + fields[$0]) }) {
            throw try await writer.keyTaken(type: types[index], field: fields[index], value: values[index])
        }
    }

    public func record(id: String) async throws -> CRMModel.Record? {
        try await onConnection { reader in try await reader.record(id: id) }
    }

    public func records(ids: [String]) async throws -> [CRMModel.Record] {
        guard !ids.isEmpty else { return [] }
        return try await onConnection { reader in
            try await reader.rows("SELECT \(unescaped: PostgresRecordRow.columns) FROM records WHERE id = ANY(\(ids))")
                .map(PostgresRecordRow.record)
        }
    }

    public func update(
        id: String, expectedVersion: Int?, references: Set<String>,
        change: @escaping @Sendable (CRMModel.Record) throws -> CRMModel.Record
    ) async throws -> CRMModel.Record {
        try await recordTransaction { writer in
            let current = try await Self.live(id, expectedVersion: expectedVersion, writer)
            let updated = try change(current)
            if updated == current { return current }
            try await writer.checkLive(references)
            return try await writer.save(updated)
        }
    }

    public func delete(
        id: String, expectedVersion: Int?, by user: String, at time: Date,
        rules: @escaping @Sendable (String) -> [ReferenceRule]
    ) async throws -> DeleteOutcome {
        try await recordTransaction { writer in
            let current = try await Self.live(id, expectedVersion: expectedVersion, writer)
            var outcome = DeleteOutcome(deleted: [], updated: [])
            try await writer.delete(current, by: user, at: time, rules: rules, outcome: &outcome)
            return outcome
        }
    }

    /// The live record `id`, at `expectedVersion` when one is given.
    private static func live(_ id: String, expectedVersion: Int?, _ writer: PostgresRecordWriter) async throws
        -> CRMModel.Record
    {
        guard let current = try await writer.record(id: id), !current.deleted else { throw StoreError.notFound(id) }
        if let expectedVersion, expectedVersion != current.version {
            throw StoreError.versionMismatch(current: current)
        }
        return current
    }

    public func countByType() async throws -> [String: Int] {
        try await onConnection { reader in
            var counts: [String: Int] = [:]
            for row in try await reader.rows("SELECT type, count(*) FROM records WHERE NOT deleted GROUP BY type") {
                let (type, count) = try row.decode((String, Int).self)
                counts[type] = count
            }
            return counts
        }
    }
}
