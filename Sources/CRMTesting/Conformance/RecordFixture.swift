import CRMModel
import CRMStore
import Foundation
import Synchronization

/// Records and times for the store conformance suite; dates are whole seconds, since stores keep milliseconds.
public enum RecordFixture {
    public static let start = Date(timeIntervalSince1970: 1_750_000_000)

    public static func time(_ seconds: Int) -> Date { start.addingTimeInterval(TimeInterval(seconds)) }

    public static func record(
        _ type: String, id: String = RecordID.make(), owner: String = "alice", team: [String] = [],
        createdAt: Date = start, _ fields: [String: FieldValue]
    ) -> Record {
        let stamp = FieldStamp(version: 1, at: createdAt)
        return Record(
            id: id, type: type, owner: owner, team: team, createdAt: createdAt, updatedAt: createdAt,
            updatedBy: owner, fields: fields, fieldVersions: fields.mapValues { _ in stamp })
    }

    /// An id that sorts where the test needs it: `id(0x01)` before `id(0xff)`.
    public static func id(_ prefix: UInt8, _ serial: Int = 0) -> String {
        let head = String(format: "%02x", prefix)
        let tail = String(format: "%012x", serial)
        return "\(head)000000-0000-4000-8000-\(tail)"
    }
}

extension RecordStore {
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

extension Record {
    func withSeq(_ seq: Int64) -> Record {
        var copy = self
        copy.seq = seq
        return copy
    }
}

/// A flag one thread raises and another polls.
final class ConformanceFlag: Sendable {
    private let raised = Atomic<Bool>(false)

    func raise() { raised.store(true, ordering: .releasing) }
    var isRaised: Bool { raised.load(ordering: .acquiring) }
}

/// A value a push body sets and the test reads once the push is over.
final class ConformanceBox<Value: Sendable>: Sendable {
    private let storage: Mutex<Value>

    init(_ value: Value) {
        storage = Mutex(value)
    }

    var value: Value {
        get { storage.withLock { $0 } }
        set { storage.withLock { $0 = newValue } }
    }
}
