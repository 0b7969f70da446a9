import CRMModel
import CRMSyncProtocol
import Foundation
import GRDB

extension Replica {
    /// Puts a change into the outbox in one transaction.
    ///
    /// An update folds into the record's ops that have not gone out yet or failed, when they are creates and
    /// updates at the end of the record's ops: they become one op (a create stays a create), pending again, so
    /// an edit that fixes a refused change sends the fixed change (under a new op id when the old one went out,
    /// since the server keeps its answer to an op id). A delete of a record that never reached the server drops
    /// its ops. Any other change puts the record's failed ops back to pending and goes after them.
    @discardableResult
    public func append(_ op: SyncOp) throws -> OutboxOp? {
        try write { db in
            let existing = try Self.ops(db, recordID: op.id)
            if op.kind == .delete, let first = existing.first, first.op.kind == .create, !existing.contains(where: \.sent) {
                try db.execute(sql: "DELETE FROM outbox WHERE record_id = ?", arguments: [op.id])
                return nil
            }
            let open = Array(existing.reversed().prefix { !$0.sent || $0.state == .failed }.reversed())
            if op.kind == .update, op.owner == nil, op.team == nil, var target = open.first,
                open.allSatisfy({ ($0.op.kind == .create || $0.op.kind == .update) && $0.op.owner == nil && $0.op.team == nil })
            {
                var fields: [String: FieldValue] = [:]
                for earlier in open { for (name, value) in earlier.op.fields ?? [:] { fields[name] = value } }
                for (name, value) in op.fields ?? [:] { fields[name] = value }
                if target.op.kind == .create { fields = fields.filter { !$0.value.isNull } }
                target.op.fields = fields
                target.op.editedAt = op.editedAt
                target.op.packageVersion = op.packageVersion
                try Self.revive(db, &target)
                for folded in open.dropFirst() {
                    try db.execute(sql: "DELETE FROM outbox WHERE seq = ?", arguments: [folded.seq])
                }
                try Self.reviveFailed(db, recordID: op.id)
                return target
            }
            try Self.reviveFailed(db, recordID: op.id)
            return try Self.insert(db, op)
        }
    }

    /// Every op in the outbox, oldest first.
    public func outbox() throws -> [OutboxOp] {
        try read { db in try Self.fetchOps(db, "SELECT * FROM outbox ORDER BY seq", []) }
    }

    /// Pending ops ready to go, oldest first, at most `limit`, never splitting one record's ops over two
    /// batches (the server treats versions made earlier in the same batch as the device's own).
    public func nextBatch(limit: Int) throws -> [OutboxOp] {
        try read { db in
            let pending = try Self.fetchOps(db, "SELECT * FROM outbox WHERE state = 'pending' ORDER BY seq", [])
            guard !pending.isEmpty else { return [] }
            var byRecord: [String: [OutboxOp]] = [:]
            for op in pending { byRecord[op.op.id, default: []].append(op) }
            var batch: [OutboxOp] = []
            var taken = Set<String>()
            for op in pending where !taken.contains(op.op.id) {
                let group = byRecord[op.op.id] ?? []
                if !batch.isEmpty, batch.count + group.count > limit { break }
                batch += group
                taken.insert(op.op.id)
            }
            return batch.sorted { $0.seq < $1.seq }
        }
    }

    /// Marks ops as sent before the push goes out: from then on their op ids belong to the server.
    public func markSent(_ ops: [OutboxOp]) throws {
        let seqs = ops.map(\.seq)
        try write { db in
            for seq in seqs { try db.execute(sql: "UPDATE outbox SET sent = 1 WHERE seq = ?", arguments: [seq]) }
        }
    }

    /// Puts failed ops back to pending under new op ids (all of them, or one record's, or one op).
    @discardableResult
    public func retry(opSeq: Int64? = nil, insist: Bool = false) throws -> Int {
        try write { db in
            var failed = try Self.fetchOps(db, "SELECT * FROM outbox WHERE state = 'failed' ORDER BY seq", [])
            if let opSeq { failed = failed.filter { $0.seq == opSeq } }
            for var op in failed {
                if insist, op.op.kind == .create { op.op.insist = true }
                try Self.revive(db, &op)
            }
            return failed.count
        }
    }

    /// Drops an op from the outbox for good (the user's explicit choice), with the ops held behind it.
    public func discard(opSeq: Int64) throws -> [OutboxOp] {
        try write { db in
            guard let op = try Self.fetchOps(db, "SELECT * FROM outbox WHERE seq = ?", [opSeq]).first else {
                throw DesktopError(.notFound, "the outbox has no op \(opSeq); `crm-desktop status` lists them")
            }
            var dropped = [op]
            if op.op.kind == .create {
                dropped += try Self.ops(db, recordID: op.op.id).filter { $0.seq != op.seq }
            }
            for gone in dropped { try db.execute(sql: "DELETE FROM outbox WHERE seq = ?", arguments: [gone.seq]) }
            return dropped
        }
    }

    /// Takes the outbox and the exclusions of another replica file (one moved aside by `rebuild`).
    func carryOver(from path: String) throws -> (ops: Int, exclusions: Int) {
        var configuration = Configuration()
        configuration.readonly = true
        let old = try DatabaseQueue(path: path, configuration: configuration)
        let (ops, exclusions) = try old.read { db in
            (try Self.fetchOps(db, "SELECT * FROM outbox ORDER BY seq", []),
             try Row.fetchAll(db, sql: "SELECT id, type, excluded_at FROM exclusions").map {
                 [$0["id"] as String, $0["type"] as String, $0["excluded_at"] as String]
             })
        }
        try write { db in
            for op in ops {
                let failure = try op.failure.map { String(decoding: try CRMJSON.encoder().encode($0), as: UTF8.self) }
                try db.execute(
                    sql: "INSERT INTO outbox(op_id, record_id, type, state, sent, json, failure) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    arguments: [op.op.opId, op.op.id, op.op.type, op.state.rawValue, op.sent, try Self.encode(op.op), failure])
            }
            for row in exclusions {
                try db.execute(
                    sql: "INSERT OR REPLACE INTO exclusions(id, type, excluded_at) VALUES (?, ?, ?)",
                    arguments: StatementArguments(row))
            }
        }
        return (ops.count, exclusions.count)
    }

    // MARK: - Rows

    static func insert(_ db: Database, _ op: SyncOp) throws -> OutboxOp {
        try db.execute(
            sql: "INSERT INTO outbox(op_id, record_id, type, state, sent, json) VALUES (?, ?, ?, 'pending', 0, ?)",
            arguments: [op.opId, op.id, op.type, try encode(op)])
        return OutboxOp(seq: db.lastInsertedRowID, op: op)
    }

    /// Writes an op back as pending; one that went out gets a new op id.
    static func revive(_ db: Database, _ op: inout OutboxOp) throws {
        if op.sent { op.op.opId = RecordID.make() }
        op.state = .pending
        op.sent = false
        op.failure = nil
        try db.execute(
            sql: "UPDATE outbox SET op_id = ?, state = 'pending', sent = 0, failure = NULL, json = ? WHERE seq = ?",
            arguments: [op.op.opId, try encode(op.op), op.seq])
    }

    static func reviveFailed(_ db: Database, recordID: String) throws {
        for var op in try ops(db, recordID: recordID) where op.state == .failed { try revive(db, &op) }
    }

    static func ops(_ db: Database, recordID: String) throws -> [OutboxOp] {
        try fetchOps(db, "SELECT * FROM outbox WHERE record_id = ? ORDER BY seq", [recordID])
    }

    static func ops(_ db: Database, type: String) throws -> [OutboxOp] {
        try fetchOps(db, "SELECT * FROM outbox WHERE type = ? ORDER BY seq", [type])
    }

    static func fetchOps(_ db: Database, _ sql: String, _ arguments: StatementArguments) throws -> [OutboxOp] {
        let decoder = CRMJSON.decoder()
        return try Row.fetchAll(db, sql: sql, arguments: arguments).map { row in
            OutboxOp(
                seq: row["seq"], op: try decoder.decode(SyncOp.self, from: Data((row["json"] as String).utf8)),
                state: OutboxOp.State(rawValue: row["state"]) ?? .pending, sent: row["sent"],
                failure: try (row["failure"] as String?).map {
                    try decoder.decode(OpFailure.self, from: Data($0.utf8))
                })
        }
    }

    static func update(_ db: Database, _ op: OutboxOp) throws {
        let failure = try op.failure.map { String(decoding: try CRMJSON.encoder().encode($0), as: UTF8.self) }
        try db.execute(
            sql: "UPDATE outbox SET op_id = ?, record_id = ?, state = ?, sent = ?, json = ?, failure = ? WHERE seq = ?",
            arguments: [op.op.opId, op.op.id, op.state.rawValue, op.sent, try encode(op.op), failure, op.seq])
    }

    static func encode(_ op: SyncOp) throws -> String {
        String(decoding: try CRMJSON.encoder().encode(op), as: UTF8.self)
    }
}
