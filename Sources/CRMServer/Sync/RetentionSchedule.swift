import Foundation

/// Decides when this process next drops what the retention horizon has passed (tombstones, op results, sync
/// log rows): at the first sync session after start, then at most once an hour. Purging is idempotent, so
/// several servers on one database may each do it.
actor RetentionSchedule {
    private var next: Date = .distantPast

    /// Whether a purge is due at `now`; if so, the next one is an hour later.
    func due(at now: Date) -> Bool {
        guard now >= next else { return false }
        next = now.addingTimeInterval(3600)
        return true
    }
}
