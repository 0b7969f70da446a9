import CRMModel
import Foundation
import PIMBridge
import PIMFormats

/// CRM to PIM: the records the PIM should show are written (new or changed since last written), and the items of
/// records that left the replica are deleted.
///
/// A sync costs what changed: each record's source stamp (its stored bytes, pending edits, and the records and
/// settings its mapping reads, hashed without decoding anything) is compared with the one kept in its status
/// row; only records whose stamp moved are decoded and mapped, and only those whose mapped item differs from the
/// last written one are written. New items are created in one batch (a vdir folder syncs them to disk at once).
extension PIMSync {
    /// Raise when the mapping's output changes for the same records (a new app version): every item is mapped
    /// again once.
    static let mappingRevision = "2"

    /// Above this many records to decode in one collection, they are read by type in one pass, not one by one.
    static let bulkDecodeThreshold = 64

    public func outbound() async throws -> PIMReport {
        var report = PIMReport()
        let package = try replica.requirePackage()
        let mapper = desktop.pimMapper(package)
        try await prepareStore()
        let unshared = try replica.unsharedIDs()
        let problems = try replica.pimProblems()
        var directory: PIMDirectory?
        for collection in PIMCollection.allCases {
            let types = Set(mapper.mappings(into: collection).map(\.type))
            guard !types.isEmpty else { continue }
            do {
                try await outbound(
                    collection, types: types, mapper: mapper, unshared: unshared,
                    held: Set(problems.filter { $0.collection == collection }.map(\.href)), directory: &directory,
                    report: &report)
            } catch let stop as PIMSafetyStop {
                report.stopped.append(stop.message)
            }
        }
        // Nothing written or deleted: the folders need no sync to disk.
        if report != PIMReport() { try await store.flush() }
        return report
    }

    /// The directory the mapping into `collection` reads (only the types it refers to), built the first time a
    /// record of the collection is mapped or read.
    func directory(_ cache: inout PIMDirectory?, for collection: PIMCollection, mapper: PIMMapper) throws
        -> PIMDirectory
    {
        let types = PIMDirectory.types(referencedBy: mapper, in: collection)
        if let cache, types.isSubset(of: cache.types) { return cache }
        let built = try PIMDirectory.build(replica: replica, user: desktop.user, types: types.union(cache?.types ?? []))
        cache = built
        return built
    }

    private func outbound(
        _ collection: PIMCollection, types: Set<String>, mapper: PIMMapper, unshared: Set<String>, held: Set<String>,
        directory: inout PIMDirectory?, report: inout PIMReport
    ) async throws {
        // An item that could not be read, or whose edit the CRM refused, stays as the user wrote it until they
        // fix it: it is neither rewritten with the CRM's copy nor deleted.
        let all = try replica.pimStatus(collection, withWritten: false)
        let rows = all.filter { !held.contains($0.href) }
        let byRecord = Dictionary(rows.map { ($0.crmID, $0) }) { first, _ in first }
        let heldRecords = Set(all.filter { held.contains($0.href) }.map(\.crmID))
        let referenced = PIMDirectory.types(referencedBy: mapper, in: collection)
        let stamps = try replica.pimRecordStamps(types: types.union(referenced))
        let context = try sourceContext(collection, referenced: referenced, stamps: stamps)

        // Records whose source did not move since their item was written stay as they are, unread.
        var wanted: Set<String> = []
        var sources: [String: String] = [:]
        var toMap: [String] = []
        for (id, stamp) in stamps where types.contains(stamp.type) && !stamp.incomplete && !unshared.contains(id) {
            if heldRecords.contains(id) {
                wanted.insert(id)
                continue
            }
            var hasher = SourceHasher()
            hasher.part(context)
            hasher.part(stamp.stamp)
            let source = hasher.hex
            if let row = byRecord[id], row.sourceStamp == source {
                wanted.insert(id)
            } else {
                sources[id] = source
                toMap.append(id)
            }
        }
        let records = try decode(toMap.sorted(), types: types)
        var creates: [Create] = []
        var updates: [(local: LocalRecord, row: PIMItemStatus, fieldsHash: String)] = []
        var restamped: [PIMItemStatus] = []
        let mappable = records.filter {
            !$0.incomplete && mapper.target(for: $0.record)?.collection == collection
        }
        let mapped =
            mappable.isEmpty
            ? []
            : try await Self.map(
                mappable, mapper: mapper, directory: try self.directory(&directory, for: collection, mapper: mapper))
        for (local, fresh, uid, fieldsHash) in mapped {
            wanted.insert(local.id)
            if var row = byRecord[local.id] {
                if row.fieldsHash == fieldsHash {
                    row.sourceStamp = sources[local.id]
                    restamped.append(row)
                } else {
                    updates.append((local, row, fieldsHash))
                }
            } else {
                creates.append(Create(local: local, fieldsHash: fieldsHash, data: fresh, uid: uid))
            }
        }
        try replica.updatePIMSourceStamps(restamped)

        let gone = rows.filter { !wanted.contains($0.crmID) }
        if !force, Double(gone.count) > maxDeleteShare * Double(rows.count), gone.count > 1 {
            throw PIMSafetyStop(
                "the CRM side would delete \(gone.count) of \(rows.count) \(collection.rawValue) in the PIM; nothing was "
                    + "deleted there. If that is what you want, run `crm-desktop pim sync --force`")
        }
        // An item already in the PIM for a record this replica has none of (a second or reinstalled desktop, or a
        // card the user shared under a name of their own) is adopted and written into, not copied.
        let adopted = try await itemsToAdopt(
            for: Set(creates.map { $0.local.id }), in: collection, known: Set(all.map(\.href)))
        for create in creates {
            guard let item = adopted[create.local.id] else { continue }
            let row = PIMItemStatus(
                collection: collection, href: item.href, crmID: create.local.id, etag: item.etag,
                itemHash: ContentHash.of(item.data), fieldsHash: "", written: item.data)
            try replica.savePIMStatus(row)
            report.adopted += 1
            updates.append((create.local, row, create.fieldsHash))
        }
        creates.removeAll { adopted[$0.local.id] != nil }
        try await create(creates, collection: collection, sources: sources, mapper: mapper, directory: &directory, report: &report)
        for update in updates {
            try await write(
                update.local, collection: collection, row: update.row, fieldsHash: update.fieldsHash,
                sourceStamp: sources[update.local.id], mapper: mapper, directory: try self.directory(&directory, for: collection, mapper: mapper),
                report: &report)
        }
        for row in gone {
            do {
                try await store.delete(collection, href: row.href, ifMatch: row.etag)
            } catch let error as PIMStoreError {
                if case .notFound = error.code {} else if case .changed = error.code {
                    // Edited in the PIM since: keep the user's item, stop tracking it.
                } else {
                    throw error
                }
            }
            try replica.removePIMStatus(collection, href: row.href)
            report.deleted += 1
        }
    }

    /// What every item of the collection is mapped with besides its record: the mapping's revision, the
    /// package, the user, the user's zone (floating times), and the records the mapping reads (account names for
    /// ORG, contacts' addresses for ATTENDEE).
    private func sourceContext(
        _ collection: PIMCollection, referenced: Set<String>, stamps: [(id: String, stamp: PIMRecordStamp)]
    ) throws -> String {
        var hasher = SourceHasher()
        hasher.part(Self.mappingRevision)
        hasher.part(collection.rawValue)
        hasher.part(String(try replica.packageVersion() ?? 0))
        hasher.part(desktop.user)
        hasher.part(desktop.userTimeZone.identifier)
        // The stamps come in a stable order (see `pimRecordStamps`): no sort needed.
        for (id, stamp) in stamps where referenced.contains(stamp.type) {
            hasher.part(id)
            hasher.part(stamp.stamp)
        }
        return hasher.hex
    }

    /// The records `ids` as the user sees them (those deleted here left out), in the order given.
    private func decode(_ ids: [String], types: Set<String>) throws -> [LocalRecord] {
        guard ids.count > Self.bulkDecodeThreshold else {
            return try ids.compactMap { try replica.localRecord(id: $0, user: desktop.user) }
        }
        let wanted = Set(ids)
        var found: [LocalRecord] = []
        for type in types.sorted() {
            found += try replica.localRecords(type: type, user: desktop.user).filter { wanted.contains($0.id) }
        }
        return found.sorted { $0.id < $1.id }
    }

    /// The records mapped into items, on every core (mapping reads nothing but its arguments, and a first write
    /// maps thousands): each with its item's bytes, UID and fields hash, in the order given.
    static func map(_ records: [LocalRecord], mapper: PIMMapper, directory: PIMDirectory) async throws
        -> [(local: LocalRecord, data: Data, uid: String?, fieldsHash: String)]
    {
        let workers = min(ProcessInfo.processInfo.activeProcessorCount, max(1, records.count / 256))
        let share = (records.count + workers - 1) / workers
        return try await withThrowingTaskGroup(
            of: (Int, [(local: LocalRecord, data: Data, uid: String?, fieldsHash: String)]).self
        ) { group in
            for worker in 0..<workers {
                let part = records[min(worker * share, records.count)..<min((worker + 1) * share, records.count)]
                group.addTask {
                    let items = try part.map { local in
                        let (data, uid) = try mapper.mappedItem(for: local.record, existing: nil, directory: directory)
                        return (local, data, uid, ContentHash.of(data))
                    }
                    return (worker, items)
                }
            }
            var parts = Array(repeating: [(local: LocalRecord, data: Data, uid: String?, fieldsHash: String)](), count: workers)
            for try await (worker, items) in group { parts[worker] = items }
            return parts.flatMap { $0 }
        }
    }

    /// A new item to create: its record, the fingerprint of what it was mapped from, its bytes and its UID.
    struct Create {
        let local: LocalRecord
        let fieldsHash: String
        let data: Data
        let uid: String?
    }

    /// Creates the items of records that have none, in one batch; an item the batch could not create (its name
    /// taken meanwhile, say) goes the one-by-one way, which adopts or retries.
    private func create(
        _ creates: [Create], collection: PIMCollection,
        sources: [String: String], mapper: PIMMapper, directory: inout PIMDirectory?, report: inout PIMReport
    ) async throws {
        guard !creates.isEmpty else { return }
        let items = creates.map { create in
            (href: store.href(forUID: create.uid ?? create.local.id, in: collection),
             data: create.data)
        }
        let results = try await store.create(collection, items: items)
        var statuses: [PIMItemStatus] = []
        var retries: [Int] = []
        for (index, result) in results.enumerated() {
            let create = creates[index]
            switch result {
            case .success(let written):
                statuses.append(
                    PIMItemStatus(
                        collection: collection, href: written.href, crmID: create.local.id, etag: written.etag,
                        itemHash: ContentHash.of(create.data), fieldsHash: create.fieldsHash, written: create.data,
                        sourceStamp: sources[create.local.id]))
            case .failure:
                retries.append(index)
            }
        }
        try replica.savePIMStatuses(statuses)
        report.written += statuses.count
        for index in retries {
            let create = creates[index]
            try await write(
                create.local, collection: collection, row: nil, fieldsHash: create.fieldsHash,
                sourceStamp: sources[create.local.id], mapper: mapper, directory: try self.directory(&directory, for: collection, mapper: mapper),
                report: &report)
        }
    }

    private func write(
        _ local: LocalRecord, collection: PIMCollection, row: PIMItemStatus?, fieldsHash: String, sourceStamp: String?,
        mapper: PIMMapper, directory: PIMDirectory, report: inout PIMReport
    ) async throws {
        var row = row
        var record = local.record
        var stamp = sourceStamp
        // Each 412 means the item moved between our read and our PUT: read it again, take the user's edit, retry.
        for attempt in 0..<Self.writeAttempts {
            var existing: PIMItem?
            if let row { existing = try await store.read(collection, hrefs: [row.href]).first }
            if row != nil, existing == nil {
                // Deleted in the PIM between the inbound step and now: the next sync unshares it.
                return
            }
            if let existing, let current = row, existing.etag != current.etag {
                // Edited in the PIM meanwhile: take the user's edit into the CRM first (the record changes, so
                // its source stamp is unknown until the next sync).
                try await absorb(
                    existing, collection: collection, row: current, mapper: mapper, directory: directory, report: &report)
                // An item that cannot be read, or whose edit the CRM refused, stays as the user wrote it.
                let problems = try replica.pimProblems()
                if problems.contains(where: { $0.collection == collection && $0.href == current.href }) { return }
                record = try replica.localRecord(id: local.id, user: desktop.user)?.record ?? record
                row = try replica.pimStatus(collection).first { $0.href == current.href } ?? current
                stamp = nil
            }
            let (data, uid) = try mapper.mappedItem(for: record, existing: existing?.data, directory: directory)
            let href = row?.href ?? store.href(forUID: uid ?? record.id, in: collection)
            try await willPut?(collection, href)
            do {
                // The condition is the version the item was merged into, so a change since is never overwritten.
                let written = try await store.put(collection, href: href, data: data, ifMatch: existing?.etag)
                try replica.savePIMStatus(
                    PIMItemStatus(
                        collection: collection, href: written.href, crmID: record.id, etag: written.etag,
                        itemHash: ContentHash.of(data), fieldsHash: fieldsHash, written: data, sourceStamp: stamp))
                report.written += 1
                return
            } catch let error as PIMStoreError {
                let last = attempt == Self.writeAttempts - 1
                switch error.code {
                case .changed where !last:
                    continue
                case .alreadyExists(let taken) where !last:
                    // An item with this UID is there already (another desktop wrote it): adopt it, then write.
                    guard let found = try await store.read(collection, hrefs: [taken]).first else { throw error }
                    row = PIMItemStatus(
                        collection: collection, href: taken, crmID: record.id, etag: found.etag,
                        itemHash: ContentHash.of(found.data), fieldsHash: "", written: found.data)
                    continue
                default:
                    throw error
                }
            }
        }
    }

    /// How often one item is written before a change that keeps coming in between fails the step.
    static let writeAttempts = 4
}
