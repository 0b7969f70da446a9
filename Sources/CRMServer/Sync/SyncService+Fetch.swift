import CRMModel
import CRMStore
import CRMSyncProtocol
import Foundation

/// Records held by hand (`crm-desktop fetch` and `drop`). A fetched record enters the device's scope through
/// the session's resolved filter: each begin adds the device's hand-held records to it (`ResolvedFilter.fetched`),
/// so the filter's fingerprint changes, the next pull re-evaluates the scope (sending the record, or removing a
/// dropped one), and the feed keeps sending its changes as for any record the filter selects.
extension SyncService {
    /// Marks the record as held by hand on the caller's own device and returns it as the caller sees it. A
    /// record the caller may not see does not exist (404, as for an unknown id).
    public func fetch(_ caller: Caller, device id: String, record recordID: String) async throws -> Record {
        let device = try await ownDevice(caller, id)
        guard let canonical = RecordID.canonical(recordID), let record = try await store.record(id: canonical),
            !record.deleted, record.type != ConflictRecord.typeName, caller.package.types[record.type] != nil,
            caller.canSee(record)
        else { throw CRMError.notFound("record \(recordID)") }
        try await store.setFetched(device: device.id, id: record.id, type: record.type, held: true)
        return caller.present(record)
    }

    /// Ends holding the record by hand on the caller's own device: it leaves with the next pull unless the
    /// filter selects it. Idempotent, and the same answer for any id.
    public func drop(_ caller: Caller, device id: String, record recordID: String) async throws {
        let device = try await ownDevice(caller, id)
        let canonical = RecordID.canonical(recordID) ?? recordID
        try await store.setFetched(device: device.id, id: canonical, type: "", held: false)
    }

    /// The device's hand-held records that the caller may still see, for the begin's resolved filter (nil when
    /// none). A record that left the caller's visibility (or was deleted) is dropped for good here.
    func heldByHand(_ caller: Caller, device: String) async throws -> [String: String]? {
        let fetched = try await store.fetchedRecords(device: device)
        guard !fetched.isEmpty else { return nil }
        let current = Dictionary(
            uniqueKeysWithValues: try await store.records(ids: Array(fetched.keys)).map { ($0.id, $0) })
        var held: [String: String] = [:]
        for (id, type) in fetched {
            if let record = current[id], !record.deleted, caller.package.types[record.type] != nil,
                caller.canSee(record)
            {
                held[id] = type
            } else {
                try await store.setFetched(device: device, id: id, type: type, held: false)
            }
        }
        return held.isEmpty ? nil : held
    }
}
