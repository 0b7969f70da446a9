import CRMModel
import CRMSyncProtocol
import Foundation
import PIMBridge
import PIMFormats

/// The two-way sync between the replica and the user's PIM (DESIGN section 4), run by `crm-desktop sync` around
/// the CRM sync: PIM edits become outbox ops before the push (`inbound`), and the CRM's records are written to
/// the PIM after the pull (`outbound`).
///
/// The status table tells each side's changes from echoes: an item whose bytes hash as the desktop last wrote
/// them was not edited in the PIM; a record whose mapped item hashes as last written did not change in the CRM.
/// A malformed item is reported and left alone; a store that suddenly lists nothing, or a sync that would delete
/// more than `maxDeleteShare` of the items on either side, stops that collection until the user says `--force`.
public struct PIMSync: Sendable {
    public let desktop: Desktop
    public let store: any PIMStore
    public let force: Bool
    /// The target as the user wrote it (`vdir:...`, `dav:...`), for messages.
    public let target: String
    /// The largest share of a collection's items one sync may delete on either side without `--force`: the
    /// desktop's setting, else `defaultMaxDeleteShare`.
    public var maxDeleteShare: Double
    /// Half: a sync deleting more than half of a collection's items on either side stops until `--force`.
    public static let defaultMaxDeleteShare = 0.5
    /// Called right before each PUT of an item the outbound step merged (collection, href): a seam where a test
    /// changes the item through another client, to prove a 412 is re-read and merged. Nil in the product.
    public var willPut: (@Sendable (PIMCollection, String) async throws -> Void)?

    public init(desktop: Desktop, store: any PIMStore, target: String, force: Bool = false) {
        self.desktop = desktop
        self.store = store
        self.target = target
        self.force = force
        maxDeleteShare = desktop.settings.pimMaxDeleteShare ?? Self.defaultMaxDeleteShare
    }

    var replica: Replica { desktop.replica }

    // MARK: - PIM to CRM

    /// Reads what changed in the PIM and turns the user's edits into outbox ops, shared new items into creates,
    /// and deleted items into unsharing.
    public func inbound() async throws -> PIMReport {
        var report = PIMReport()
        // Before the first sync there is no package, so nothing in the PIM can be the CRM's yet.
        guard let package = try replica.package() else { return report }
        let mapper = desktop.pimMapper(package)
        try await prepareStore()
        var directory: PIMDirectory?
        for collection in PIMCollection.allCases where !mapper.mappings(into: collection).isEmpty {
            do {
                try await inbound(collection, mapper: mapper, directory: &directory, report: &report)
            } catch let stop as PIMSafetyStop {
                report.stopped.append(stop.message)
            }
        }
        // A shared item replaces the desktop's copy, which is deleted: make that durable.
        if report.shared + report.linked > 0 { try await store.flush() }
        return report
    }

    /// Prepares the store, trusting the collections an earlier sync found there (a DAV server is not asked
    /// again), and keeps what it found for the next sync.
    func prepareStore() async throws {
        let known = try replica.pimLocations()
        await store.adopt(known)
        try await store.prepare()
        let found = await store.locations()
        if found != known { try replica.setPIMLocations(found) }
    }

    private func inbound(
        _ collection: PIMCollection, mapper: PIMMapper, directory: inout PIMDirectory?, report: inout PIMReport
    ) async throws {
        let rows = Dictionary(try replica.pimStatus(collection, withWritten: false).map { ($0.href, $0) }) { first, _ in
            first
        }
        let changes = try await store.changes(in: collection, since: try replica.pimToken(collection))
        let deleted =
            changes.isFullListing
            ? Set(rows.keys).subtracting(changes.changed.keys) : Set(changes.deleted).intersection(rows.keys)
        if !force, !rows.isEmpty {
            // With two items or fewer, an empty collection is as likely the user's deletes as a wiped store.
            if changes.isFullListing, changes.changed.isEmpty, rows.count > 2 {
                throw PIMSafetyStop(
                    "\(target) lists no \(collection.rawValue) though \(rows.count) were written there; nothing was "
                        + "changed in the CRM. If the collection was emptied on purpose, run `crm-desktop pim sync --force`")
            }
            if Double(deleted.count) > maxDeleteShare * Double(rows.count), deleted.count > 1 {
                throw PIMSafetyStop(
                    "\(deleted.count) of \(rows.count) \(collection.rawValue) were deleted in the PIM; nothing was "
                        + "changed in the CRM. If that is what you want, run `crm-desktop pim sync --force`")
            }
        }
        let toRead = changes.changed.filter { rows[$0.key]?.etag != $0.value }.keys.sorted()
        for item in try await store.read(collection, hrefs: toRead) {
            try await absorb(
                item, collection: collection, row: rows[item.href], mapper: mapper,
                directory: try self.directory(&directory, for: collection, mapper: mapper), report: &report)
        }
        for href in deleted.sorted() {
            guard let row = rows[href] else { continue }
            let local = try replica.localRecord(id: row.crmID, user: desktop.user)
            if let local, mapper.target(for: local.record)?.mapping.onDelete == .delete, !local.incomplete {
                try desktop.editor().delete(type: local.type, id: local.id)
                report.deletedInCRM += 1
            } else {
                try replica.unshare(crmID: row.crmID)
                report.unshared += 1
            }
            try replica.removePIMStatus(collection, href: href)
        }
        // A malformed item that is gone (deleted or moved away) is no longer a problem.
        for problem in try replica.pimProblems() where problem.collection == collection {
            let gone = changes.isFullListing ? changes.changed[problem.href] == nil : changes.deleted.contains(problem.href)
            if gone { try replica.reportPIMProblem(nil, collection: collection, href: problem.href) }
        }
        if let token = changes.token { try replica.setPIMToken(collection, token) }
    }

    /// One item read from the PIM: an edit of a CRM item, an item to adopt, a shared new item, or a private one.
    func absorb(
        _ item: PIMItem, collection: PIMCollection, row: PIMItemStatus?, mapper: PIMMapper, directory: PIMDirectory,
        report: inout PIMReport
    ) async throws {
        let hash = ContentHash.of(item.data)
        var row = row
        if let known = row, known.written == nil {
            // Status rows are read without the bytes last written; this item needs them.
            row?.written = try replica.pimWritten(collection, href: known.href)
        }
        if var row, row.itemHash == hash {
            row.etag = item.etag
            try replica.savePIMStatus(row)
            return
        }
        let current = try row.flatMap { try replica.localRecord(id: $0.crmID, user: desktop.user) }
        let reading: PIMReading
        do {
            reading = try mapper.read(item.data, in: collection, current: current?.record, directory: directory)
            try replica.reportPIMProblem(nil, collection: collection, href: item.href)
        } catch let error as PIMFormatError {
            try replica.reportPIMProblem(
                PIMProblem(collection: collection, href: item.href, line: error.line, message: error.message),
                collection: collection, href: item.href)
            report.problems += 1
            return
        }
        let editor = try desktop.editor()
        if let row, let current {
            // Only what the user changed since the desktop's last write counts: compare with that write.
            let base = row.written.flatMap {
                try? mapper.read($0, in: collection, current: current.record, directory: directory).fields
            }
            var userFields = reading.fields
            if let base { userFields = userFields.filter { (base[$0.key] ?? .null) != $0.value } }
            let changes = Self.changes(from: userFields, to: current.record, package: mapper.package)
            if !changes.isEmpty {
                do {
                    try editor.update(type: current.type, id: current.id, fields: changes)
                    report.fromPIM += 1
                } catch let error as DesktopError {
                    try problem(error, collection: collection, href: item.href, report: &report)
                }
            }
            try replica.savePIMStatus(
                PIMItemStatus(
                    collection: collection, href: item.href, crmID: row.crmID, etag: item.etag, itemHash: hash,
                    fieldsHash: "", written: item.data))
            return
        }
        // Written by this or another desktop of the user (a DAV collection shared between devices): adopt it.
        if let crmID = reading.crmID {
            if try replica.localRecord(id: crmID, user: desktop.user) != nil {
                try replica.savePIMStatus(
                    PIMItemStatus(
                        collection: collection, href: item.href, crmID: crmID, etag: item.etag, itemHash: hash,
                        fieldsHash: "", written: item.data))
                report.adopted += 1
            }
            // A CRM item whose record this replica does not hold (yet: a first sync is under way, or a rebuild):
            // never a new record; the outbound step adopts it when the record arrives.
            return
        }
        guard reading.shared else { return }
        let fields = reading.fields.filter { !$0.value.isNull }
        let record: LocalRecord
        if let match = try desktop.duplicate(of: fields, type: reading.type, package: mapper.package) {
            record = match
            report.linked += 1
        } else {
            do {
                record = try editor.create(type: reading.type, fields: fields)
                report.shared += 1
            } catch let error as DesktopError {
                try problem(error, collection: collection, href: item.href, report: &report)
                return
            }
        }
        try replica.reshare(crmID: record.id)
        // The record had an item already (the desktop wrote it before the user shared their own copy of the same
        // meeting or contact): the user's item takes its place, and the desktop's copy goes.
        for old in try replica.pimStatus(collection) where old.crmID == record.id && old.href != item.href {
            do {
                try await store.delete(collection, href: old.href, ifMatch: old.etag)
            } catch let error as PIMStoreError {
                if case .notFound = error.code {} else if case .changed = error.code {} else { throw error }
            }
            try replica.removePIMStatus(collection, href: old.href)
        }
        try replica.savePIMStatus(
            PIMItemStatus(
                collection: collection, href: item.href, crmID: record.id, etag: item.etag, itemHash: hash,
                fieldsHash: "", written: item.data))
    }

    /// A PIM change the CRM refused (a field the package's rules do not allow): reported like a malformed item,
    /// and the item is left as the user wrote it.
    private func problem(_ error: DesktopError, collection: PIMCollection, href: String, report: inout PIMReport) throws {
        try replica.reportPIMProblem(
            PIMProblem(collection: collection, href: href, line: 0, message: error.description),
            collection: collection, href: href)
        report.problems += 1
    }

    /// The mapped fields whose PIM value differs from the record's.
    static func changes(from pim: [String: FieldValue], to record: Record, package: CustomizationPackage)
        -> [String: FieldValue]
    {
        let type = package.types[record.type]
        var changes: [String: FieldValue] = [:]
        for (field, value) in pim where type?.fields[field] != nil && !(type?.fields[field]?.isReadOnly ?? true) {
            let mine = record.fields[field] ?? .null
            if RecordValidator.isEmpty(mine), RecordValidator.isEmpty(value) { continue }
            if mine != value { changes[field] = value }
        }
        return changes
    }
}

/// A collection the safety rules stopped.
struct PIMSafetyStop: Error {
    let message: String
    init(_ message: String) { self.message = message }
}

/// What a PIM sync did, for the receipt.
public struct PIMReport: Codable, Sendable, Equatable {
    /// Items written to the PIM, and deleted there.
    public var written = 0
    public var deleted = 0
    /// PIM edits that became outbox ops; shared items created in the CRM or linked to an existing record.
    public var fromPIM = 0
    public var shared = 0
    public var linked = 0
    /// Items of another desktop of the user taken over; items the user deleted (unshared).
    public var adopted = 0
    public var unshared = 0
    /// Items deleted in the PIM whose records were deleted in the CRM (mapping `onDelete: delete`).
    public var deletedInCRM = 0
    /// Items that could not be read (see `status`).
    public var problems = 0
    /// Collections the safety rules stopped, in words.
    public var stopped: [String] = []

    public init() {}

    public static func + (lhs: PIMReport, rhs: PIMReport) -> PIMReport {
        var sum = lhs
        sum.written += rhs.written
        sum.deleted += rhs.deleted
        sum.fromPIM += rhs.fromPIM
        sum.shared += rhs.shared
        sum.linked += rhs.linked
        sum.adopted += rhs.adopted
        sum.unshared += rhs.unshared
        sum.deletedInCRM += rhs.deletedInCRM
        sum.problems += rhs.problems
        sum.stopped += rhs.stopped
        return sum
    }

    /// `PIM: 3 written, 1 deleted, 2 edits taken, 1 shared`.
    public var line: String {
        var parts: [String] = []
        for (count, word) in [
            (written, "written"), (deleted, "deleted"), (fromPIM, "edits taken"), (shared, "shared"),
            (linked, "linked"), (adopted, "adopted"), (unshared, "unshared"), (deletedInCRM, "deleted in the CRM"),
            (problems, "unreadable"),
        ] where count > 0 {
            parts.append("\(count) \(word)")
        }
        var text = "PIM: " + (parts.isEmpty ? "nothing to do" : parts.joined(separator: ", "))
        if !stopped.isEmpty { text += "; stopped: " + stopped.joined(separator: "; ") }
        return text
    }
}
