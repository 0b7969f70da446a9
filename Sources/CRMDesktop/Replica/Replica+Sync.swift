import CRMModel
import CRMSyncProtocol
import Foundation
import GRDB

extension Replica {
    /// Applies one pulled page and its cursor in one transaction: a kill before the commit leaves the old
    /// cursor, so the next sync asks for the same page again and applies it once.
    ///
    /// An upsert replaces the server copy (never an op in the outbox) unless the replica holds a newer version;
    /// records on the exclusions list are skipped. Returns how many upserts and removes were applied.
    @discardableResult
    public func apply(_ page: SyncPage) throws -> Int {
        try apply(PulledPage(page))
    }

    /// Applies a page read by hand: each record's JSON is stored as the server wrote it, through statements
    /// prepared once per connection.
    @discardableResult
    public func apply(_ page: PulledPage) throws -> Int {
        try write { db in
            var applied = 0
            let delete = try db.cachedStatement(sql: "DELETE FROM records WHERE id = ?")
            for remove in page.removes {
                try delete.execute(arguments: [remove.id])
                applied += 1
            }
            let excluded = try Self.excludedIDs(db, among: page.upserts)
            let store = try db.cachedStatement(sql: Self.storeCopySQL)
            for upsert in page.upserts {
                if excluded.contains(upsert.id) { continue }
                if upsert.deleted {
                    try delete.execute(arguments: [upsert.id])
                } else {
                    try store.execute(
                        arguments: [upsert.id, upsert.type, upsert.version, upsert.incomplete, false, upsert.json])
                }
                applied += 1
            }
            try Self.setMeta(db, "cursor", page.cursor)
            return applied
        }
    }

    /// The ids of `upserts` on the exclusions list (usually none: the list is read once, not per record).
    private static func excludedIDs(_ db: Database, among upserts: [PulledPage.Upsert]) throws -> Set<String> {
        guard try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM exclusions") ?? 0 > 0 else { return [] }
        let all = Set(try String.fetchAll(db, sql: "SELECT id FROM exclusions"))
        return Set(upserts.lazy.map(\.id).filter(all.contains))
    }

    /// After the last page: copies taken from push answers that no page confirmed are outside the device's
    /// scope (a record created here that the filter does not select), so they leave the replica like any record
    /// that leaves the filter, unless an op still waits on them.
    @discardableResult
    public func dropUnconfirmedCopies() throws -> Int {
        try write { db in
            try db.execute(
                sql: """
                    DELETE FROM records WHERE provisional = 1
                        AND id NOT IN (SELECT record_id FROM outbox)
                    """)
            return db.changesCount
        }
    }

    /// Starts a rebuild after the server's "reset": the server copies and the cursor go, the outbox and the
    /// exclusions stay, and the next pull starts from nothing.
    public func startRebuild() throws {
        try write { db in
            try db.execute(sql: "DELETE FROM records")
            try Self.setMeta(db, "cursor", nil)
        }
    }

    /// Applies the answers to a push in one transaction: confirmed ops leave the outbox and their records'
    /// server copies move on; refused and held ops stay, failed, with the server's reasons.
    public func apply(results: [SyncOpResult], for batch: [OutboxOp]) throws -> SyncCounts {
        try write { db in
            var counts = SyncCounts(pushed: batch.count)
            let byOpID = Dictionary(uniqueKeysWithValues: batch.map { ($0.op.opId, $0) })
            for result in results {
                guard var op = byOpID[result.opId] else { continue }
                op.sent = true
                switch result.status {
                case .applied, .merged:
                    if result.status == .applied { counts.applied += 1 } else { counts.merged += 1 }
                    try Self.confirm(db, op, result)
                case .conflict:
                    counts.conflicts += 1
                    if op.op.kind == .create, result.existing != nil, result.record == nil {
                        op.state = .failed
                        op.failure = OpFailure(
                            message: result.message ?? "a record you can see already matches this one",
                            issues: result.issues ?? [], existing: result.existing)
                        try Self.update(db, op)
                    } else {
                        try Self.confirm(db, op, result)
                    }
                case .rejected, .held:
                    if result.status == .rejected { counts.rejected += 1 }
                    op.state = .failed
                    op.failure = OpFailure(
                        message: result.message ?? (result.status == .held ? "held behind a refused change" : "refused"),
                        issues: result.issues ?? [], heldBy: result.heldBy)
                    try Self.update(db, op)
                }
                for conflict in result.conflicts ?? [] {
                    try Self.storeCopy(db, conflict, incomplete: false, provisional: true)
                }
            }
            return counts
        }
    }

    /// An op the server took: it leaves the outbox, the server copy takes the answer's record, and the record's
    /// later ops made on the same copy start from the new version (unless they touch a field the server also
    /// changed: then they keep their base, and the server reports the conflict).
    private static func confirm(_ db: Database, _ op: OutboxOp, _ result: SyncOpResult) throws {
        try db.execute(sql: "DELETE FROM outbox WHERE seq = ?", arguments: [op.seq])
        if let record = result.record {
            if record.deleted {
                try db.execute(sql: "DELETE FROM records WHERE id = ?", arguments: [record.id])
            } else if try !isExcluded(db, id: record.id) {
                try storeCopy(db, record, incomplete: false, provisional: true)
            }
        } else if op.op.kind == .delete || result.status == .conflict {
            try db.execute(sql: "DELETE FROM records WHERE id = ?", arguments: [op.op.id])
        }
        // Joined an existing record through a global key: later ops follow it.
        if result.id != op.op.id {
            for var later in try ops(db, recordID: op.op.id) {
                later.op.id = result.id
                try update(db, later)
            }
            // The PIM item the record came from now stands for the existing record.
            try db.execute(sql: "UPDATE pim_items SET crm_id = ? WHERE crm_id = ?", arguments: [result.id, op.op.id])
            // So does a shared email's entry (another user shared the message first).
            try db.execute(sql: "UPDATE mail_shares SET record_id = ? WHERE record_id = ?", arguments: [result.id, op.op.id])
        }
        guard let version = result.version, result.status != .conflict else { return }
        let serverFields = Set(result.serverFields ?? [])
        for var later in try ops(db, recordID: result.id) where later.seq > op.seq && !later.sent {
            guard let base = later.op.baseVersion, base < version, base == (op.op.baseVersion ?? base),
                Set((later.op.fields ?? [:]).keys).isDisjoint(with: serverFields)
            else { continue }
            later.op.baseVersion = version
            try update(db, later)
        }
    }

    // MARK: - Sync log

    /// Keeps a sync's receipt (the last 500).
    public func log(_ receipt: SyncReceipt) throws {
        let json = String(decoding: try CRMJSON.encoder().encode(receipt), as: UTF8.self)
        try write { db in
            try db.execute(
                sql: "INSERT INTO sync_log(started_at, json) VALUES (?, ?)",
                arguments: [Timestamp.string(from: receipt.startedAt), json])
            try db.execute(sql: "DELETE FROM sync_log WHERE id <= (SELECT MAX(id) - 500 FROM sync_log)")
        }
    }

    /// The latest receipts, newest first.
    public func receipts(limit: Int = 20) throws -> [SyncReceipt] {
        try read { db in
            try String.fetchAll(db, sql: "SELECT json FROM sync_log ORDER BY id DESC LIMIT ?", arguments: [limit]).map {
                try CRMJSON.decoder().decode(SyncReceipt.self, from: Data($0.utf8))
            }
        }
    }
}
