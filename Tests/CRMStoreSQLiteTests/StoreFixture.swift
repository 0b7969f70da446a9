import CRMModel
import CRMStore
import CRMStoreSQLite
import CRMTesting
import Foundation

/// A fresh SQLite store in its own temporary folder, for one test.
func withStore(_ body: (SQLiteStore) async throws -> Void) async throws {
    let directory = try TemporaryDirectory(prefix: "crm-sqlite")
    defer { directory.remove() }
    let store = try SQLiteStore(path: directory.path("crm.sqlite"))
    try await body(store)
}

/// Records and times for the store tests; dates are whole seconds, since the store keeps milliseconds.
enum Fixture {
    static let start = Date(timeIntervalSince1970: 1_750_000_000)

    static func time(_ seconds: Int) -> Date { start.addingTimeInterval(TimeInterval(seconds)) }

    static func record(
        _ type: String, id: String = RecordID.make(), owner: String = "alice", team: [String] = [],
        createdAt: Date = start, _ fields: [String: FieldValue]
    ) -> Record {
        let stamp = FieldStamp(version: 1, at: createdAt)
        return Record(
            id: id, type: type, owner: owner, team: team, createdAt: createdAt, updatedAt: createdAt,
            updatedBy: owner, fields: fields, fieldVersions: fields.mapValues { _ in stamp })
    }

    /// An id that sorts where the test needs it: `id(0x01)` before `id(0xff)`.
    static func id(_ prefix: UInt8, _ serial: Int = 0) -> String {
        let head = String(format: "%02x", prefix)
        let tail = String(format: "%012x", serial)
        return "\(head)000000-0000-4000-8000-\(tail)"
    }
}

extension SQLiteStore {
    /// Inserts a record that references nothing.
    @discardableResult
    func insert(_ record: Record) async throws -> Record {
        try await insert(record, references: [])
    }

    /// Every live record of `type` in one query, in creation order.
    func all(_ type: String) async throws -> [Record] {
        try await list(RecordQuery(type: type, visibility: .all, limit: 10_000)).records
    }
}
