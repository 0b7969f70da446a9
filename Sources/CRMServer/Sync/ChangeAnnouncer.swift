import CRMModel
import CRMStore
import Foundation

/// Announces committed changes to the long-polls that may see them: by the people of the records written
/// (owners and team members, before and after). Each waiter matches them against its own visibility scope, so
/// nothing is looked up here. Through the store's broadcast when it has one (every server process hears it),
/// else through this process's signal.
struct ChangeAnnouncer: Sendable {
    let store: any ServerStore
    let signal: ChangeSignal

    /// Announces a change to the records owned by or shared with `people`. Nothing to do when the write's own
    /// transaction announced it at commit (`AudienceRecordingTransaction.announceAtCommit`).
    func announce(_ people: Set<String>, announcedAtCommit: Bool = false) async {
        guard !people.isEmpty, !announcedAtCommit else { return }
        if let bus = store as? any ChangeBroadcast {
            do {
                try await bus.broadcast(users: people)
                return
            } catch {
                // The database is unreachable: the waiters of this process at least hear it.
            }
        }
        await signal.changed(people: people)
    }
}

/// A push transaction that notes the owner and team members of every record written, before and after, so the
/// push can wake exactly the long-polls it concerns.
final class AudienceRecordingTransaction: PushTransaction, @unchecked Sendable {
    private let base: any PushTransaction
    /// Owners and team members of records read (their state before a write) by id.
    private var before: [String: Set<String>] = [:]
    /// Everyone a write touched. Used from the one thread that runs the push.
    private(set) var touched: Set<String> = []

    init(_ base: any PushTransaction) {
        self.base = base
    }

    private static func people(_ record: Record) -> Set<String> { Set([record.owner] + record.team) }

    private func wrote(_ record: Record) {
        touched.formUnion(Self.people(record))
        touched.formUnion(before[record.id] ?? [])
    }

    func record(id: String) throws -> Record? {
        let record = try base.record(id: id)
        if let record { before[id] = Self.people(record) }
        return record
    }

    func insert(_ record: Record) throws -> Record {
        let stored = try base.insert(record)
        wrote(stored)
        return stored
    }

    func update(_ record: Record) throws -> Record {
        let stored = try base.update(record)
        wrote(stored)
        return stored
    }

    func delete(_ record: Record, by user: String, at time: Date, rules: (String) -> [ReferenceRule]) throws
        -> DeleteOutcome
    {
        let outcome = try base.delete(record, by: user, at: time, rules: rules)
        touched.formUnion(Self.people(record))
        for changed in outcome.deleted + outcome.updated { wrote(changed) }
        return outcome
    }

    func matching(type: String, values: [String: FieldValue], limit: Int) throws -> [Record] {
        try base.matching(type: type, values: values, limit: limit)
    }

    func opResult(device: String, opId: String) throws -> Data? { try base.opResult(device: device, opId: opId) }

    func saveOpResult(device: String, opId: String, result: Data, at time: Date) throws {
        try base.saveOpResult(device: device, opId: opId, result: result, at: time)
    }

    func savepoint<T>(_ body: () throws -> T) throws -> T { try base.savepoint(body) }

    func announceAtCommit(users: Set<String>) throws -> Bool { try base.announceAtCommit(users: users) }

    /// Announces everyone the transaction's writes touched, at its commit, when the store can; call it last,
    /// once every write is done. False when there is nothing to announce or the store cannot (see
    /// `PushTransaction.announceAtCommit`).
    func announceAtCommit() throws -> Bool {
        guard !touched.isEmpty else { return false }
        return try base.announceAtCommit(users: touched)
    }
}
