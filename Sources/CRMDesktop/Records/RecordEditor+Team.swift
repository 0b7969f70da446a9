import CRMModel
import CRMSyncProtocol
import Foundation

extension RecordEditor {
    /// Puts the user on the team of a record they see without owning or sharing it (a manager seeing a report's
    /// email), offline: the record then stays theirs when visibility changes, as sharing it themselves would
    /// have made it. Nothing is queued when the user owns the record or is on its team already.
    @discardableResult
    public func joinTeam(type typeName: String, id: String, at time: Date = Date()) throws -> LocalRecord {
        let current = try find(typeName, id: id)
        guard current.record.owner != user, !current.record.team.contains(user) else { return current }
        if current.incomplete {
            throw DesktopError(
                .readOnly, "this \(typeName) is read-only here: it came only as the target of a record you sync",
                field: "ID")
        }
        try replica.append(
            SyncOp(
                opId: RecordID.make(at: time), kind: .update, type: typeName, id: current.id,
                baseVersion: current.serverVersion ?? 1, fields: [:], team: current.record.team + [user],
                editedAt: time, packageVersion: package.version))
        return try replica.localRecord(id: current.id, user: user) ?? current
    }
}
