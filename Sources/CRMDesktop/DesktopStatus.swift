import CRMModel
import Foundation

/// What `crm-desktop status` shows: where this desktop syncs, what it holds, and what waits for the user.
public struct DesktopStatus: Sendable {
    public var server: String
    public var user: String
    public var device: String
    public var packageVersion: Int?
    public var filter: FilterChoice
    public var lastSync: SyncReceipt?
    /// Records held, by type (conflicts not counted).
    public var records: [String: Int]
    public var pending: [OutboxOp]
    public var failed: [OutboxOp]
    public var openConflicts: [LocalRecord]
    public var exclusions: Int
    /// Types the package has watch and scheduled syncs check less often, with their last check.
    public var frequency: SyncFrequency
    /// Records added by hand (`fetch`) that the replica holds.
    public var fetched: Int = 0
}

extension Desktop {
    public func status() throws -> DesktopStatus {
        let outbox = try replica.outbox()
        var counts = try replica.counts()
        counts[ConflictRecord.typeName] = nil
        return DesktopStatus(
            server: settings.server, user: settings.user, device: settings.device,
            packageVersion: try replica.packageVersion(), filter: try replica.filter(),
            lastSync: try replica.receipts(limit: 1).first, records: counts,
            pending: outbox.filter { $0.state == .pending }, failed: outbox.filter { $0.state == .failed },
            openConflicts: try openConflicts(), exclusions: try replica.exclusions().count,
            frequency: try replica.syncFrequency(),
            fetched: try replica.fetchedIDs().count)
    }
}
