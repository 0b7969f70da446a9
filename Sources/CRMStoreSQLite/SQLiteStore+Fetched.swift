import CRMStore
import Foundation
import GRDB

extension SQLiteStore {
    public func fetchedRecords(device: String) async throws -> [String: String] {
        try await read { db in
            var result: [String: String] = [:]
            let rows = try Row.fetchCursor(
                db.cachedStatement(sql: "SELECT record_id, type FROM device_fetched WHERE device = ?"),
                arguments: [device])
            while let row = try rows.next() { result[row[0]] = row[1] }
            return result
        }
    }

    public func setFetched(device: String, id: String, type: String, held: Bool) async throws {
        try await write { db in
            if held {
                try db.cachedStatement(
                    sql: "INSERT OR IGNORE INTO device_fetched (device, record_id, type) VALUES (?, ?, ?)"
                ).execute(arguments: [device, id, type])
            } else {
                try db.cachedStatement(sql: "DELETE FROM device_fetched WHERE device = ? AND record_id = ?")
                    .execute(arguments: [device, id])
            }
        }
    }
}
