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
    /// fields the user changed become ops (a CRM change not yet written is not undone).
    public var written: Data?

    public init(
        collection: PIMCollection, href: String, crmID: String, etag: String, itemHash: String, fieldsHash: String,
        written: Data? = nil
    ) {
        self.collection = collection
        self.href = href
        self.crmID = crmID
        self.etag = etag
        self.itemHash = itemHash
        self.fieldsHash = fieldsHash
        self.written = written
    }
}

/// An item the bridge could not read: reported in `status`, left untouched.
public struct PIMProblem: Sendable, Equatable {
    public var collection: PIMCollection
    public var href: String
    public var line: Int
    public var message: String
}

extension Replica {
    public func pimStatus(_ collection: PIMCollection) throws -> [PIMItemStatus] {
        try read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM pim_items WHERE collection = ?", arguments: [collection.rawValue]
            ).map(Self.pimStatus)
        }
    }

    public func savePIMStatus(_ status: PIMItemStatus) throws {
        try write { db in
            try db.execute(
                sql: """
                    INSERT OR REPLACE INTO pim_items(collection, href, crm_id, etag, item_hash, fields_hash, written)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    status.collection.rawValue, status.href, status.crmID, status.etag, status.itemHash,
                    status.fieldsHash, status.written,
                ])
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

    static func pimStatus(_ row: Row) -> PIMItemStatus {
        PIMItemStatus(
            collection: PIMCollection(rawValue: row["collection"]) ?? .contacts, href: row["href"],
            crmID: row["crm_id"], etag: row["etag"], itemHash: row["item_hash"], fieldsHash: row["fields_hash"],
            written: row["written"])
    }
}
