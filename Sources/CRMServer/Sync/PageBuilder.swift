import CRMModel
import CRMStore
import CRMSyncProtocol

/// A page being assembled: what the device must store and drop, and what that does to its scope.
struct PullPage: Sendable {
    var upserts: [SyncUpsert] = []
    var removes: [SyncRemove] = []
    var delta = ScopeDelta()
    private var ids: Set<String> = []

    var count: Int { upserts.count + removes.count }

    func contains(_ id: String) -> Bool { ids.contains(id) }

    mutating func upsert(_ record: Record, reason: ScopeReason, as presented: Record) {
        guard ids.insert(record.id).inserted else { return }
        upserts.append(SyncUpsert(record: presented, incomplete: reason == .reference))
        delta.upserts.append(ScopeEntry(id: record.id, type: record.type, version: record.version, reason: reason))
    }

    mutating func remove(id: String, type: String, reason: RemoveReason) {
        guard ids.insert(id).inserted else { return }
        removes.append(SyncRemove(id: id, type: type, reason: reason))
        delta.removes.append(id)
    }
}

/// Computes a device's next pull page from its cursor: a scope re-evaluation walked type by type and id by
/// id against what the device holds, then the targets of its references, then the change feed. The cost of
/// a feed page follows the changes after the cursor; a re-evaluation costs what the device's scope holds.
struct PageBuilder: Sendable {
    let store: any ServerStore
    let context: ScopeContext
    let limit: Int

    /// The page after `cursor` and the cursor that follows it (its generation is set by the caller).
    ///
    /// - Parameter rescanOnly: end the page where the re-evaluation ends, even empty: a page built ahead, while
    ///   the page before it is not yet acknowledged, must not read what the acknowledgement writes.
    func page(after start: SyncCursor, rescanOnly: Bool = false) async throws -> (PullPage, SyncCursor, more: Bool) {
        var page = PullPage()
        var cursor = start
        while page.count < limit {
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
        let types = context.syncedTypes
        guard let type = cursor.type ?? types.first else {
            cursor.phase = .references
            return
        }
        let after = cursor.afterID ?? ""
        let wanted = max(1, limit - page.count)
        let synced = types.contains(type)
        let candidates =
            synced ? try await store.liveRecords(type: type, visibility: context.visibility(for: type), after: after, limit: wanted) : []
        let exhausted = candidates.count < wanted
        let held = try await store.scopeEntries(
            device: context.device, type: type, after: after, through: exhausted ? nil : candidates.last?.id)
        var heldByID = Dictionary(uniqueKeysWithValues: held.map { ($0.id, $0) })
        for record in candidates {
            let entry = heldByID.removeValue(forKey: record.id)
            if context.inFilter(record) {
                if entry == nil || entry?.version != record.version || entry?.reason != .filter || cursor.full == true {
                    page.upsert(record, reason: .filter, as: context.present(record))
                }
            } else if entry?.reason == .filter {
                page.remove(id: record.id, type: type, reason: .leftFilter)
            } else if let entry, entry.reason == .reference, entry.version != record.version || cursor.full == true {
                page.upsert(record, reason: .reference, as: context.present(record))
            }
        }
        // Held records the walk did not meet are gone, invisible, or of a type the device no longer syncs.
        if !heldByID.isEmpty {
            let current = Dictionary(
                uniqueKeysWithValues: try await store.records(ids: Array(heldByID.keys)).map { ($0.id, $0) })
            for entry in heldByID.values.sorted(by: { $0.id < $1.id }) {
                let record = current[entry.id]
                if entry.reason == .reference, let record, context.canHold(record) { continue }
                page.remove(id: entry.id, type: entry.type, reason: context.removeReason(record))
            }
        }
        if exhausted {
            cursor.afterID = nil
            cursor.type = try await nextType(after: type)
            if cursor.type == nil { cursor.phase = .references }
        } else {
            cursor.type = type
            cursor.afterID = candidates.last?.id
        }
    }

    /// The next type to walk: the synced types, then any other type the device still holds records of.
    private func nextType(after type: String) async throws -> String? {
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
        for record in try await store.records(ids: batch).sorted(by: { $0.id < $1.id }) where context.canHold(record) {
            page.upsert(record, reason: context.inFilter(record) ? .filter : .reference, as: context.present(record))
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
        let changes = try await store.changes(after: cursor.seq, limit: limit)
        let held = try await store.scopeEntries(device: context.device, ids: changes.map(\.id))
        var referencing: [Record] = []
        for record in changes {
            let entry = held[record.id]
            if record.deleted || !context.canHold(record) {
                if entry != nil { page.remove(id: record.id, type: record.type, reason: context.removeReason(record)) }
            } else if context.inFilter(record) {
                if entry == nil || entry!.version < record.version || entry!.reason != .filter {
                    page.upsert(record, reason: .filter, as: context.present(record))
                    referencing.append(record)
                }
            } else if let entry {
                if entry.reason == .filter {
                    if try await store.isReferenced(device: context.device, target: record.id) {
                        page.upsert(record, reason: .reference, as: context.present(record))
                    } else {
                        page.remove(id: record.id, type: record.type, reason: .leftFilter)
                    }
                } else if entry.version < record.version {
                    page.upsert(record, reason: .reference, as: context.present(record))
                }
            }
        }
        try await addReferenceTargets(of: referencing, to: &page)
        if let last = changes.last { cursor.seq = last.seq }
        return changes.count >= limit
    }

    /// The records that new upserts reference and the device does not hold come along, read-only.
    private func addReferenceTargets(of records: [Record], to page: inout PullPage) async throws {
        let targets = Set(records.flatMap(context.references)).filter { !page.contains($0) }
        guard !targets.isEmpty else { return }
        let held = try await store.scopeEntries(device: context.device, ids: Array(targets))
        let missing = targets.filter { held[$0] == nil }.sorted()
        for record in try await store.records(ids: missing).sorted(by: { $0.id < $1.id }) where context.canHold(record) {
            page.upsert(record, reason: context.inFilter(record) ? .filter : .reference, as: context.present(record))
        }
    }
}
