import CRMDesktop
import CRMModel
import CRMSyncProtocol
import CRMTesting
import Foundation
import Testing

/// Every op the server was sent, in the order it first saw each, with its first answer and the desktop that
/// sent it (read from the proxy's log after each sync); then the checks at the end of a convergence run.
struct ConvergenceLedger {
    struct Entry {
        let op: SyncOp
        let result: SyncOpResult
        let device: String
    }

    var entries: [Entry] = []
    var first: [String: Int] = [:]
    var repeats = 0
    var checkedPairs = 0

    /// Takes the pushes one sync made: a new op id joins the log, a repeated one must get its first answer.
    mutating func record(_ pushes: ArraySlice<AnswerDroppingProxy.Push>, device: String) {
        for push in pushes {
            for (op, result) in zip(push.ops, push.results) {
                if let index = first[op.opId] {
                    repeats += 1
                    #expect(result == entries[index].result, "op \(op.opId) sent again was answered differently")
                } else {
                    first[op.opId] = entries.count
                    entries.append(Entry(op: op, result: result, device: device))
                }
            }
        }
    }

    /// The end state: outboxes empty (refused ops aside, which the server refused for a reason), each replica
    /// equal to what the server shows its user, Rita's two desktops equal, every vCard edit sent, and every
    /// two-sided change in a conflict record.
    mutating func check(_ world: ConvergenceWorld, _ api: TestAPI, seed: UInt64) async throws {
        var views: [String: [String: Record]] = [:]
        for user in Set(world.devices.map(\.user)) {
            let view = try await RESTView.login(api.baseURL.absoluteString, user: user, password: TestServer.password)
            var records: [String: Record] = [:]
            for type in ["Account", "Contact", "Opportunity"] { records.merge(try await view.records(type)) { $1 } }
            views[user] = records
        }
        var held: [String: [String: Record]] = [:]
        for device in world.devices {
            let replica = try device.open().replica
            while let op = try replica.outbox().first {
                let answer = first[op.op.opId].map { entries[$0].result }
                #expect(op.state == .failed, "\(device.name) still holds an unsent op \(op.op) (seed \(seed))")
                #expect(
                    answer?.status == .rejected || answer?.status == .held,
                    "\(device.name) holds failed op \(op.op) that the server answered \(String(describing: answer))")
                // The user gives up on a refused change; the replica then shows the server's copy.
                _ = try replica.discard(opSeq: op.seq)
            }
            var records: [String: Record] = [:]
            for type in ["Account", "Contact", "Opportunity"] {
                for local in try replica.localRecords(type: type, user: device.user) {
                    #expect(!local.incomplete, "\(device.name) holds \(local.id) incomplete")
                    records[local.id] = local.record
                }
            }
            let view = views[device.user] ?? [:]
            #expect(Set(records.keys) == Set(view.keys), "\(device.name) holds other records than the server (seed \(seed))")
            for (id, record) in view where records[id] != nil && records[id] != record {
                Issue.record("\(device.name) holds \(String(describing: records[id])), the server \(record) (seed \(seed))")
            }
            held[device.name] = records
        }
        #expect(held["laptop"] == held["phone"], "Rita's two desktops differ (seed \(seed))")

        // Each create took effect once: the server holds one record per created contact name.
        let names = (views["rita"] ?? [:]).merging(views["maria"] ?? [:]) { $1 }.values
            .compactMap { $0.fields["lastName"]?.stringValue }
        #expect(Set(names).count == names.count, "a record was created twice (seed \(seed))")

        // Every vCard edit reached the server as an op of that device, unless the same device changed that
        // e-mail again (or deleted the contact) before any of its syncs ran to its end: its outbox then held the
        // later value only.
        for edit in world.pimEdits
        where !(world.emailChanges["\(edit.device) \(edit.contact)"] ?? []).contains(where: {
            $0.number > edit.number && $0.syncsBefore == edit.syncsBefore
        }) {
            let sent = entries.contains { $0.device == edit.device && $0.op.id == edit.contact && $0.op.fields?["email"] == .string(edit.email) }
            #expect(sent, "the vCard edit \(edit.email) of \(edit.contact) on \(edit.device) was never sent (seed \(seed))")
        }

        var conflicts: [Record] = []
        for user in Set(world.devices.map(\.user)) {
            let view = try await RESTView.login(api.baseURL.absoluteString, user: user, password: TestServer.password)
            conflicts += try await view.conflicts().values
        }
        checkTwoSidedChanges(conflicts, seed: seed)
    }

    /// An update sent without having seen another desktop's applied change of the same field (its base version
    /// is older than the version that change made) meets it on the server: a conflict record names the field and
    /// the value sent. An update of a record another desktop deleted first is an `update-deleted` conflict.
    mutating func checkTwoSidedChanges(_ conflicts: [Record], seed: UInt64) {
        let live: Set<SyncOpResult.Status> = [.applied, .merged, .conflict]
        for (position, later) in entries.enumerated() where later.op.kind == .update && live.contains(later.result.status) {
            for earlier in entries[..<position] where earlier.op.id == later.op.id && earlier.device != later.device {
                if earlier.op.kind == .delete, earlier.result.status == .applied {
                    checkedPairs += 1
                    let named = conflicts.contains {
                        $0.fields["recordId"] == .string(later.op.id) && $0.fields["kind"] == "update-deleted"
                    }
                    #expect(named, "the update \(later.op) met the delete \(earlier.op) without a conflict (seed \(seed))")
                    continue
                }
                guard earlier.op.kind == .update, earlier.result.status == .applied || earlier.result.status == .merged,
                    let version = earlier.result.version, (later.op.baseVersion ?? 0) < version
                else { continue }
                for (field, value) in later.op.fields ?? [:] {
                    guard let theirs = earlier.op.fields?[field], theirs != value,
                        earlier.result.record?.fields[field] == theirs
                    else { continue }
                    checkedPairs += 1
                    // A field conflict names the field and the value sent; when the record was deleted meanwhile,
                    // the update-deleted conflict keeps every value the update sent.
                    let named = conflicts.contains { conflict in
                        guard conflict.fields["recordId"] == .string(later.op.id) else { return false }
                        if conflict.fields["kind"] == "update-deleted",
                            case .object(let sent) = conflict.fields["clientValue"] ?? .null
                        {
                            return sent[field] == value
                        }
                        return conflict.fields["field"] == .string(field) && conflict.fields["clientValue"] == value
                    }
                    let message = "\(field) of \(later.op.type) \(later.op.id) changed on \(earlier.device) (\(theirs)) "
                        + "and on \(later.device) (\(value)) before they synced, and no conflict names it (seed \(seed))"
                    #expect(named, "\(message)")
                }
            }
        }
    }
}
