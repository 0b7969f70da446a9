import CRMStore
import CRMSyncProtocol
import Foundation
import GRDB

extension SQLiteStore {
    /// Every fact in one read transaction, through statements prepared once per reader connection: one hop to a
    /// reader queue instead of five or six.
    public func requestFacts(tokenHash: String) async throws -> RequestFacts {
        try await read { db in
            guard
                let row = try Row.fetchOne(
                    db.cachedStatement(
                        sql: "SELECT token_hash, user, created_at, expires_at, device FROM sessions WHERE token_hash = ?"),
                    arguments: [tokenHash])
            else { return RequestFacts() }
            let session = Session(
                tokenHash: row[0], user: row[1], createdAt: RecordRow.date(row[2]), expiresAt: RecordRow.date(row[3]),
                device: row[4])
            var facts = RequestFacts(session: session)
            if let id = session.device {
                facts.device = try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM devices WHERE id = ?"), arguments: [id])
                    .map(Self.device)
            }
            facts.user = try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM users WHERE name = ?"), arguments: [session.user])
                .map(Self.user)
            facts.latestPackageVersion = try Int.fetchOne(db.cachedStatement(sql: "SELECT max(version) FROM packages"))
            if let user = facts.user {
                facts.rolePackageVersion = try Int.fetchOne(
                    db.cachedStatement(sql: "SELECT version FROM package_roles WHERE role = ?"), arguments: [user.role])
                facts.reports = try Self.reports(of: user.name, in: db)
            }
            return facts
        }
    }
}
