import Foundation
import GRDB

extension Replica {
    /// Notes (or with `held: false` forgets) that the user fetched this record by hand.
    public func setFetched(id: String, type: String, held: Bool, at time: Date = Date()) throws {
        try write { db in
            if held {
                try db.execute(
                    sql: "INSERT OR REPLACE INTO fetched (id, type, fetched_at) VALUES (?, ?, ?)",
                    arguments: [id, type, Int64(time.timeIntervalSince1970 * 1000)])
            } else {
                try db.execute(sql: "DELETE FROM fetched WHERE id = ?", arguments: [id])
            }
        }
    }

    /// The ids of the records fetched by hand that the replica holds (a fetched record that left, such as by
    /// losing visibility, is no longer listed).
    public func fetchedIDs() throws -> Set<String> {
        try read { db in
            Set(try String.fetchAll(db, sql: "SELECT f.id FROM fetched f JOIN records r ON r.id = f.id"))
        }
    }
}
