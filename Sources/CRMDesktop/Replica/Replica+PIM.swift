import CRMModel
import Foundation
import GRDB
import PIMBridge

/// A row of the PIM status table: an item the desktop wrote or adopted.
public struct PIMItemStatus: Sendable, Equatable {
    public var collection: PIMCollection
    public var href: String
    public var crmID: String
    /// The etag the store gave the item when the desktop last wrote or read it.
    public var etag: String
    /// The hash of the item's bytes then, to tell a user's edit from the desktop's own write.
    public var itemHash: String
    /// The hash of the record's mapped fields then, to tell whether the CRM side changed.
    public var fieldsHash: String
    /// The item as the desktop last wrote or took it: the base a PIM edit is compared with, so that only the
    /// fields the user changed become ops (a CRM change not yet written is not undone). Nil when the status
    /// was read without it.
    public var written: Data?
    /// The fingerprint of what the item was mapped from (the record's stored bytes, its pending edits, and the
    /// records and settings the mapping reads) when `fieldsHash` was taken: while it holds, the outbound step
    /// neither decodes nor maps the record. Nil: unknown, map it.
    public var sourceStamp: String?

    public init(
        collection: PIMCollection, href: String, crmID: String, etag: String, itemHash: String, fieldsHash: String,
        written: Data? = nil, sourceStamp: String? = nil
    ) {
        self.collection = collection
        self.href = href
        self.crmID = crmID
        self.etag = etag
        self.itemHash = itemHash
        self.fieldsHash = fieldsHash
        self.written = written
        self.sourceStamp = sourceStamp
    }
}

/// A record as the PIM outbound step first sees it: its type and fingerprint, from the stored bytes alone.
public struct PIMRecordStamp: Sendable, Equatable {
    public var type: String
    /// `ContentHash` of the record's stored JSON, its completeness and its pending outbox ops.
    public var stamp: String
    /// The stored copy is incomplete (a record another one refers to, outside the filter): never in the PIM.
    public var incomplete = false
}

/// An item the bridge could not read: reported in `status`, left untouched.
public struct PIMProblem: Sendable, Equatable {
    public var collection: PIMCollection
    public var href: String
    public var line: Int
    public var message: String
}

extension Replica {
    /// The status rows of a collection; without `written` (the bytes last written) unless `withWritten`.
    public func pimStatus(_ collection: PIMCollection, withWritten: Bool = true) throws -> [PIMItemStatus] {
        let columns = "href, crm_id, etag, item_hash, fields_hash, source_stamp" + (withWritten ? ", written" : "")
        return try read { db in
            // A cursor reads each row in place (fetchAll would copy every row first).
            let rows = try Row.fetchCursor(
                db, sql: "SELECT \(columns) FROM pim_items WHERE collection = ?", arguments: [collection.rawValue])
            var statuses: [PIMItemStatus] = []
            while let row = try rows.next() {
                statuses.append(
                    PIMItemStatus(
                        collection: collection, href: row[0], crmID: row[1], etag: row[2], itemHash: row[3],
                        fieldsHash: row[4], written: withWritten ? row[6] : nil, sourceStamp: row[5]))
            }
            return statuses
        }
    }

    /// The bytes last written for an item (see `PIMItemStatus.written`).
    public func pimWritten(_ collection: PIMCollection, href: String) throws -> Data? {
        try read { db in
            try Data.fetchOne(
                db, sql: "SELECT written FROM pim_items WHERE collection = ? AND href = ?",
                arguments: [collection.rawValue, href])
        }
    }

    public func savePIMStatus(_ status: PIMItemStatus) throws { try savePIMStatuses([status]) }

    /// Saves several status rows in one transaction.
    public func savePIMStatuses(_ statuses: [PIMItemStatus]) throws {
        guard !statuses.isEmpty else { return }
        try write { db in
            let statement = try db.cachedStatement(
                sql: """
                    INSERT OR REPLACE INTO pim_items(
                        collection, href, crm_id, etag, item_hash, fields_hash, written, source_stamp)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """)
            for status in statuses {
                try statement.execute(arguments: [
                    status.collection.rawValue, status.href, status.crmID, status.etag, status.itemHash,
                    status.fieldsHash, status.written, status.sourceStamp,
                ])
            }
        }
    }

    /// Records that the outbound step found unchanged since `fieldsHash` was taken, under a new source stamp
    /// (the records or settings the mapping reads changed, the mapped item did not); one transaction.
    public func updatePIMSourceStamps(_ statuses: [PIMItemStatus]) throws {
        guard !statuses.isEmpty else { return }
        try write { db in
            let statement = try db.cachedStatement(
                sql: "UPDATE pim_items SET fields_hash = ?, source_stamp = ? WHERE collection = ? AND href = ?")
            for status in statuses {
                try statement.execute(
                    arguments: [status.fieldsHash, status.sourceStamp, status.collection.rawValue, status.href])
            }
        }
    }

    /// The fingerprints of the records of `types` (records created here and not yet sent included), from their
    /// stored JSON and pending ops, without decoding them: what lets a PIM sync with nothing changed skip the
    /// mapping. In id order (server copies first, then records that exist only as ops), so a caller can
    /// fingerprint a set of them without sorting.
    public func pimRecordStamps(types: Set<String>) throws -> [(id: String, stamp: PIMRecordStamp)] {
        guard !types.isEmpty else { return [] }
        let list = types.sorted()
        let marks = Array(repeating: "?", count: list.count).joined(separator: ", ")
        return try read { db in
            var ops: [String: [String]] = [:]
            let opRows = try Row.fetchCursor(
                db, sql: "SELECT record_id, state, json FROM outbox WHERE type IN (\(marks)) ORDER BY seq",
                arguments: StatementArguments(list))
            while let row = try opRows.next() {
                ops[row[0], default: []].append((row[1] as String) + (row[2] as String))
            }
            var stamps: [(id: String, stamp: PIMRecordStamp)] = []
            // Read in the type index's order and sorted here: an ORDER BY id over several types would make
            // SQLite sort the rows, JSON included, in a temporary file (megabytes written on every PIM sync).
            let rows = try Row.fetchCursor(
                db, sql: "SELECT id, type, incomplete, json FROM records WHERE type IN (\(marks))",
                arguments: StatementArguments(list))
            while let row = try rows.next() {
                let id: String = row[0]
                let incomplete: Bool = row[2]
                var hasher = SourceHasher()
                hasher.part(incomplete ? "incomplete" : "complete")
                // The stored JSON hashed in place, never copied into a String.
                try row.withUnsafeData(atIndex: 3) { data in
                    (data ?? Data()).withUnsafeBytes { hasher.part($0) }
                }
                if !ops.isEmpty, let texts = ops.removeValue(forKey: id) {
                    for op in texts { hasher.part(op) }
                }
                stamps.append((id, PIMRecordStamp(type: row[1], stamp: hasher.hex, incomplete: incomplete)))
            }
            // Byte order, as SQLite's BINARY collation sorts.
            stamps.sort { $0.id.utf8.lexicographicallyPrecedes($1.id.utf8) }
            // Records that exist only as ops (created here, not yet sent): their type is in the op.
            let typeOf = Dictionary(
                try Row.fetchAll(
                    db, sql: "SELECT DISTINCT record_id, type FROM outbox WHERE type IN (\(marks))",
                    arguments: StatementArguments(list)
                ).map { (($0[0] as String), ($0[1] as String)) }) { first, _ in first }
            for (id, texts) in ops.sorted(by: { $0.key < $1.key }) {
                var hasher = SourceHasher()
                hasher.part("ops only")
                for op in texts { hasher.part(op) }
                stamps.append((id, PIMRecordStamp(type: typeOf[id] ?? "", stamp: hasher.hex)))
            }
            return stamps
        }
    }

    public func removePIMStatus(_ collection: PIMCollection, href: String) throws {
        try write { db in
            try db.execute(
                sql: "DELETE FROM pim_items WHERE collection = ? AND href = ?", arguments: [collection.rawValue, href])
        }
    }

    /// Records the user took out of the PIM (by deleting their item): the bridge does not write them again.
    public func unshare(crmID: String, at time: Date = Date()) throws {
        try write { db in
            try db.execute(
                sql: "INSERT OR REPLACE INTO pim_unshared(crm_id, unshared_at) VALUES (?, ?)",
                arguments: [crmID, Timestamp.string(from: time)])
        }
    }

    public func reshare(crmID: String) throws {
        try write { db in try db.execute(sql: "DELETE FROM pim_unshared WHERE crm_id = ?", arguments: [crmID]) }
    }

    public func unsharedIDs() throws -> Set<String> {
        try read { db in Set(try String.fetchAll(db, sql: "SELECT crm_id FROM pim_unshared")) }
    }

    public func pimToken(_ collection: PIMCollection) throws -> String? {
        try read { db in
            try String.fetchOne(db, sql: "SELECT token FROM pim_tokens WHERE collection = ?", arguments: [collection.rawValue])
        }
    }

    public func setPIMToken(_ collection: PIMCollection, _ token: String?) throws {
        try write { db in
            if let token {
                try db.execute(
                    sql: "INSERT OR REPLACE INTO pim_tokens(collection, token) VALUES (?, ?)",
                    arguments: [collection.rawValue, token])
            } else {
                try db.execute(sql: "DELETE FROM pim_tokens WHERE collection = ?", arguments: [collection.rawValue])
            }
        }
    }

    /// Where the PIM store found its collections (DAV URLs), kept beside the sync tokens (and so forgotten with
    /// them when another target is chosen) under keys `location:<collection>`.
    public func pimLocations() throws -> [PIMCollection: String] {
        try read { db in
            var locations: [PIMCollection: String] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT collection, token FROM pim_tokens WHERE collection LIKE 'location:%'") {
                let key: String = row[0]
                if let collection = PIMCollection(rawValue: String(key.dropFirst("location:".count))) {
                    locations[collection] = row[1]
                }
            }
            return locations
        }
    }

    public func setPIMLocations(_ locations: [PIMCollection: String]) throws {
        try write { db in
            try db.execute(sql: "DELETE FROM pim_tokens WHERE collection LIKE 'location:%'")
            for (collection, location) in locations {
                try db.execute(
                    sql: "INSERT INTO pim_tokens(collection, token) VALUES (?, ?)",
                    arguments: ["location:\(collection.rawValue)", location])
            }
        }
    }

    /// Forgets what the bridge knew (another PIM target was chosen).
    public func resetPIM() throws {
        try write { db in
            for table in ["pim_items", "pim_tokens", "pim_problems"] { try db.execute(sql: "DELETE FROM \(table)") }
        }
    }

    public func reportPIMProblem(_ problem: PIMProblem?, collection: PIMCollection, href: String) throws {
        try write { db in
            if let problem {
                try db.execute(
                    sql: """
                        INSERT OR REPLACE INTO pim_problems(collection, href, line, message, seen_at)
                        VALUES (?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        collection.rawValue, href, problem.line, problem.message, Timestamp.string(from: Date()),
                    ])
            } else {
                try db.execute(
                    sql: "DELETE FROM pim_problems WHERE collection = ? AND href = ?",
                    arguments: [collection.rawValue, href])
            }
        }
    }

    public func pimProblems() throws -> [PIMProblem] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM pim_problems ORDER BY collection, href").map {
                PIMProblem(
                    collection: PIMCollection(rawValue: $0["collection"]) ?? .contacts, href: $0["href"],
                    line: $0["line"], message: $0["message"])
            }
        }
    }
}
