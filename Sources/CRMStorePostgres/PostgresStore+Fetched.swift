import CRMStore
import Foundation
import PostgresNIO

extension PostgresStore {
    public func fetchedRecords(device: String) async throws -> [String: String] {
        var result: [String: String] = [:]
        for row in try await execute("SELECT record_id, type FROM device_fetched WHERE device = \(device)") {
            let (id, type) = try row.decode((String, String).self)
            result[id] = type
        }
        return result
    }

    public func setFetched(device: String, id: String, type: String, held: Bool) async throws {
        if held {
            _ = try await execute(
                """
                INSERT INTO device_fetched (device, record_id, type) VALUES (\(device), \(id), \(type))
                ON CONFLICT DO NOTHING
                """)
        } else {
            _ = try await execute("DELETE FROM device_fetched WHERE device = \(device) AND record_id = \(id)")
        }
    }
}
