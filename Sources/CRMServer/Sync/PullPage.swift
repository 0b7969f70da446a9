import CRMModel
import CRMStore
import CRMSyncProtocol

/// A stored record on its way to a page: `record` holds its system columns and the fields a decision reads
/// (all of them when `names` is nil: a conflict, or a type the role does not see).
struct PageCandidate: Sendable {
    let stored: StoredRecord
    let record: Record
    /// The names of every stored field, read while decoding the ones a decision needs.
    let names: [String]?
}

/// How an upsert's record is written: spliced from the stored text, or decoded and presented by the role.
enum PageBody: Sendable {
    case stored(StoredRecord, names: [String])
    case decoded(Record)
}

/// A page being assembled: what the device must store and drop, and what that does to its scope. Upserts are
/// written as they are added (`SyncPageWriter.upserts`), so the page knows its size in bytes.
struct PullPage: Sendable {
    /// The upserts' JSON, comma-separated.
    private(set) var upsertJSON: [UInt8] = []
    private(set) var upsertCount = 0
    var removes: [SyncRemove] = []
    var delta = ScopeDelta()
    private var ids: Set<String> = []

    var count: Int { upsertCount + removes.count }

    /// About the bytes the page will take: its upserts as written, and a remove's usual size.
    var bytes: Int { upsertJSON.count + removes.count * 100 }

    func contains(_ id: String) -> Bool { ids.contains(id) }

    mutating func upsert(_ record: Record, reason: ScopeReason, as body: PageBody) throws {
        guard !ids.contains(record.id) else { return }
        if upsertJSON.isEmpty { upsertJSON.reserveCapacity(256 << 10) } else { upsertJSON.append(UInt8(ascii: ",")) }
        upsertJSON.append(
            contentsOf: (reason == .reference ? "{\"incomplete\":true,\"record\":" : "{\"incomplete\":false,\"record\":").utf8)
        switch body {
        case .stored(let stored, let names): try stored.writeJSON(names: names, into: &upsertJSON)
        case .decoded(let presented): RecordJSON.write(presented, into: &upsertJSON)
        }
        upsertJSON.append(UInt8(ascii: "}"))
        ids.insert(record.id)
        upsertCount += 1
        delta.upserts.append(ScopeEntry(id: record.id, type: record.type, version: record.version, reason: reason))
    }

    mutating func remove(id: String, type: String, reason: RemoveReason) {
        guard ids.insert(id).inserted else { return }
        removes.append(SyncRemove(id: id, type: type, reason: reason))
        delta.removes.append(id)
    }
}
