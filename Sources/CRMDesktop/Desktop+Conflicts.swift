import CRMModel
import CRMSyncProtocol
import Foundation

/// How the user settles a conflict from the command line.
public enum ConflictChoice: Sendable, Equatable {
    /// This user's side (the edit they made, or for a conflict they met as the server's author, theirs).
    case mine
    /// The other side.
    case theirs
    /// A value typed by the user (field conflicts only).
    case value(FieldValue)
}

extension Desktop {
    /// The open conflicts in the replica, newest first.
    public func openConflicts() throws -> [LocalRecord] {
        try replica.localRecords(type: ConflictRecord.typeName, user: user)
            .filter { ConflictRecord.isOpen($0.record) }
            .sorted { $0.record.createdAt > $1.record.createdAt }
    }

    /// Settles a conflict on the server (this needs the server) and stores what the choice left: the conflict,
    /// now resolved, and the record's new version.
    @discardableResult
    public func resolveConflict(id: String, _ choice: ConflictChoice) async throws -> ResolvedConflict {
        let conflict = try findConflict(id)
        let resolution: ConflictResolution
        switch choice {
        case .value(let value): resolution = ConflictResolution(choose: .value, value: value)
        case .mine, .theirs:
            let iAmTheClient = conflict.fields["clientAuthor"]?.stringValue == user
            let mine: ConflictResolution.Choice = iAmTheClient ? .client : .server
            let theirs: ConflictResolution.Choice = iAmTheClient ? .server : .client
            resolution = ConflictResolution(choose: choice == .mine ? mine : theirs)
        }
        let conflictID = conflict.id
        let answer = try await connection.call { client, token in
            try await client.resolveConflict(id: conflictID, resolution, token: token)
        }
        try replica.store(answer.conflict, answer.record)
        return answer
    }

    /// A conflict by id or unique prefix.
    public func findConflict(_ id: String) throws -> LocalRecord {
        try IDPrefix.unique(
            id, among: try replica.localRecords(type: ConflictRecord.typeName, user: user), id: \.id, what: "conflicts",
            missing: "no conflict '\(id)' on this desktop (`crm-desktop conflicts` lists them)", field: "ID")
    }
}

extension Replica {
    /// Stores server copies the server answered with outside a sync (a resolved conflict and its record).
    func store(_ records: CRMModel.Record?...) throws {
        let copies = records.compactMap { $0 }
        try write { db in
            for record in copies {
                if record.deleted {
                    try db.execute(sql: "DELETE FROM records WHERE id = ?", arguments: [record.id])
                } else {
                    try Self.storeCopy(db, record, incomplete: false)
                }
            }
        }
    }
}
