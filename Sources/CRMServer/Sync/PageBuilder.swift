import CRMModel
import CRMStore
import CRMSyncProtocol

/// Computes a device's next pull page from its cursor: a scope re-evaluation walked type by type and id by
/// id against what the device holds, then the targets of its references, then the change feed. The cost of
/// a feed page follows the changes after the cursor; a re-evaluation costs what the device's scope holds.
struct PageBuilder: Sendable {
    let store: any ServerStore
    let context: ScopeContext
    let limit: Int
    /// The bytes after which a page ends, whatever its record count (a page of large records stays small
    /// enough to hold and apply at once). Upserts that came with the last record may pass it.
    var maxBytes: Int = SyncConfiguration().maxPageBytes

    private func isFull(_ page: PullPage) -> Bool { page.count >= limit || page.bytes >= maxBytes }

    /// The page after `cursor` and the cursor that follows it (its generation is set by the caller).
    ///
    /// - Parameter rescanOnly: end the page where the re-evaluation ends, even empty: a page built ahead, while
    ///   the page before it is not yet acknowledged, must not read what the acknowledgement writes.
    func page(after start: SyncCursor, rescanOnly: Bool = false) async throws -> (PullPage, SyncCursor, more: Bool) {
        var page = PullPage()
        var cursor = start
        while !isFull(page) {
            switch cursor.phase {
            case .rescan:
                try await rescanStep(&cursor, &page)
                // The references phase reads the acknowledged scope, which does not yet hold this page's
                // records: it starts on the next page, once the device has acknowledged this one.
                if cursor.phase == .references, page.count > 0 || rescanOnly { return (page, cursor, true) }
            case .references where rescanOnly, .feed where rescanOnly:
                return (page, cursor, true)
            case .references:
                try await referencesStep(&cursor, &page)
                // Likewise the feed: a record decided here must not be decided again against a scope that
                // does not hold this page yet.
                if cursor.phase == .feed, page.count > 0 { return (page, cursor, true) }
            case .feed:
                let more = try await feedStep(&cursor, &page)
                return (page, cursor, more)
            }
        }
        return (page, cursor, true)
    }

    // MARK: - Re-evaluation

    private func rescanStep(_ cursor: inout SyncCursor, _ page: inout PullPage) async throws {
        let types = context.rescannedTypes(cursor.types)
        guard let type = cursor.type ?? types.first else {
            cursor.phase = .references
            return
        }
        let after = cursor.afterID ?? ""
        let wanted = max(1, limit - page.count)
        let synced = types.contains(type)
        let candidates =
            synced ? try await store.storedLiveRecords(type: type, visibility: context.visibility(for: type), after: after, limit: wanted) : []
        let exhausted = candidates.count < wanted
        let held = try await store.scopeEntries(
            device: context.device, type: type, after: after, through: exhausted ? nil : candidates.last?.id)
        var heldByID = Dictionary(uniqueKeysWithValues: held.map { ($0.id, $0) })
        var walked = 0
        for stored in candidates {
            walked += 1
            let candidate = try context.candidate(stored)
            let record = candidate.record
            let entry = heldByID.removeValue(forKey: record.id)
            if context.inFilter(record) {
                if entry == nil || entry?.version != record.version || entry?.reason != .filter || cursor.full == true {
                    try page.upsert(record, reason: .filter, as: context.pageBody(candidate))
                }
            } else if entry?.reason == .filter {
                page.remove(id: record.id, type: type, reason: .leftFilter)
            } else if let entry, entry.reason == .reference, entry.version != record.version || cursor.full == true {
                try page.upsert(record, reason: .reference, as: context.pageBody(candidate))
            }
            if isFull(page) { break }
        }
        // A page full in bytes before the batch's end walks on from its last record next time: held records
        // after it are met then.
        let stopped = walked < candidates.count
        if stopped {
            let through = candidates[walked - 1].id
            heldByID = heldByID.filter { $0.key <= through }
        }
        // Held records the walk did not meet are gone, invisible, or of a type the device no longer syncs.
        if !heldByID.isEmpty {
            let current = Dictionary(
                uniqueKeysWithValues: try await store.storedRecords(ids: Array(heldByID.keys)).map { ($0.id, $0.head()) })
            for entry in heldByID.values.sorted(by: { $0.id < $1.id }) {
                let record = current[entry.id]
                if entry.reason == .reference, let record, context.canHold(record) { continue }
                page.remove(id: entry.id, type: entry.type, reason: context.removeReason(record))
            }
        }
        if stopped {
            cursor.type = type
            cursor.afterID = candidates[walked - 1].id
        } else if exhausted {
            cursor.afterID = nil
            cursor.type = try await nextType(after: type, restrictedTo: cursor.types)
            if cursor.type == nil { cursor.phase = .references }
        } else {
            cursor.type = type
            cursor.afterID = candidates.last?.id
        }
    }

    /// The next type to walk: the synced types, then any other type the device still holds records of; or,
    /// in a re-evaluation of some types only, the next of those.
    private func nextType(after type: String, restrictedTo named: [String]?) async throws -> String? {
        if named != nil {
            let order = context.rescannedTypes(named)
            return order.firstIndex(of: type).flatMap { $0 + 1 < order.count ? order[$0 + 1] : nil }
        }
        let held = try await store.scopeCounts(device: context.device).keys
        let all = Set(context.syncedTypes).union(held)
        let synced = context.syncedTypes
        let order = synced + all.subtracting(synced).sorted()
        guard let index = order.firstIndex(of: type) else { return order.first { $0 > type } }
        return index + 1 < order.count ? order[index + 1] : nil
    }

    // MARK: - References

    private func referencesStep(_ cursor: inout SyncCursor, _ page: inout PullPage) async throws {
        let after = cursor.afterID ?? ""
        let missing = try await store.missingReferences(device: context.device).filter { $0 > after && !page.contains($0) }
        let batch = Array(missing.prefix(max(1, limit - page.count)))
        for stored in try await store.storedRecords(ids: batch).sorted(by: { $0.id < $1.id }) {
            guard try upsertTarget(stored, into: &page) else { continue }
            if isFull(page), stored.id != missing.last {
                cursor.afterID = stored.id
                return
            }
        }
        if batch.count < missing.count {
            cursor.afterID = batch.last
            return
        }
        for entry in try await store.orphanedReferences(device: context.device) where !page.contains(entry.id) {
            page.remove(id: entry.id, type: entry.type, reason: .leftFilter)
        }
        cursor.phase = .feed
        cursor.type = nil
        cursor.afterID = nil
    }

    // MARK: - Change feed

    /// One page of the change feed; returns whether more changes wait.
    private func feedStep(_ cursor: inout SyncCursor, _ page: inout PullPage) async throws -> Bool {
        let changes = try await store.storedChanges(after: cursor.seq, limit: limit)
        let held = try await store.scopeEntries(device: context.device, ids: changes.map(\.id))
        var referencing: [Record] = []
        var walked = 0
        for stored in changes {
            walked += 1
            // A type this session does not check: the re-evaluation when it is due again catches up.
            if context.defers(stored.type) { continue }
            let candidate = try context.candidate(stored)
            let record = candidate.record
            let entry = held[record.id]
            if record.deleted || !context.canHold(record) {
                if entry != nil { page.remove(id: record.id, type: record.type, reason: context.removeReason(record)) }
            } else if context.inFilter(record) {
                if entry == nil || entry!.version < record.version || entry!.reason != .filter {
                    try page.upsert(record, reason: .filter, as: context.pageBody(candidate))
                    referencing.append(record)
                }
            } else if let entry {
                if entry.reason == .filter {
                    if try await store.isReferenced(device: context.device, target: record.id) {
                        try page.upsert(record, reason: .reference, as: context.pageBody(candidate))
                    } else {
                        page.remove(id: record.id, type: record.type, reason: .leftFilter)
                    }
                } else if entry.version < record.version {
                    try page.upsert(record, reason: .reference, as: context.pageBody(candidate))
                }
            }
            if isFull(page) { break }
        }
        try await addReferenceTargets(of: referencing, to: &page)
        if walked > 0 { cursor.seq = changes[walked - 1].seq }
        return walked < changes.count || changes.count >= limit
    }

    /// The records that new upserts reference and the device does not hold come along, read-only.
    private func addReferenceTargets(of records: [Record], to page: inout PullPage) async throws {
        let targets = Set(records.flatMap(context.references)).filter { !page.contains($0) }
        guard !targets.isEmpty else { return }
        let held = try await store.scopeEntries(device: context.device, ids: Array(targets))
        let missing = targets.filter { held[$0] == nil }.sorted()
        for stored in try await store.storedRecords(ids: missing).sorted(by: { $0.id < $1.id }) {
            try upsertTarget(stored, into: &page)
        }
    }

    /// Adds a referenced record the device may hold: in scope by the filter when it selects it, else read-only.
    /// Returns whether it was added.
    @discardableResult
    private func upsertTarget(_ stored: StoredRecord, into page: inout PullPage) throws -> Bool {
        let candidate = try context.candidate(stored)
        let record = candidate.record
        guard context.canHold(record) else { return false }
        try page.upsert(record, reason: context.inFilter(record) ? .filter : .reference, as: context.pageBody(candidate))
        return true
    }
}
