import CRMStore
import Foundation
import GRDB

extension SQLiteStore {
    public func publish(_ package: PublishedPackage) async throws {
        try await write { db in
            if let existing = try Self.fetchPackage(version: package.version, in: db) {
                guard existing.json == package.json else {
                    throw StoreError.alreadyExists("package version \(package.version)")
                }
            } else {
                try db.cachedStatement(
                    sql: "INSERT INTO packages (version, name, source, json, published_at) VALUES (?, ?, ?, ?, ?)").execute(
                    arguments: [
                        package.version, package.name, package.source, package.json,
                        RecordRow.millis(package.publishedAt),
                    ])
            }
            for role in package.roles {
                try db.cachedStatement(
                    sql: "INSERT OR REPLACE INTO package_roles (role, version) VALUES (?, ?)").execute(
                    arguments: [role, package.version])
            }
            // Builds the key table for the new package's global keys now, rather than in a user's write.
            _ = try self.globalKeys(in: db)
        }
    }

    public func publishedPackages() async throws -> [PublishedPackage] {
        try await read { db in
            let versions = try Int.fetchAll(db.cachedStatement(sql: "SELECT version FROM packages ORDER BY version DESC"))
            return try versions.compactMap { try Self.fetchPackage(version: $0, in: db) }
        }
    }

    public func latestPackage() async throws -> PublishedPackage? {
        try await read { db in
            guard let version = try Int.fetchOne(db.cachedStatement(sql: "SELECT max(version) FROM packages")) else { return nil }
            return try Self.fetchPackage(version: version, in: db)
        }
    }

    public func latestPackageVersion() async throws -> Int? {
        try await read { db in try Int.fetchOne(db.cachedStatement(sql: "SELECT max(version) FROM packages")) }
    }

    public func packageVersion(forRole role: String) async throws -> Int? {
        try await read { db in
            try Int.fetchOne(db.cachedStatement(sql: "SELECT version FROM package_roles WHERE role = ?"), arguments: [role])
        }
    }

    public func package(version: Int) async throws -> PublishedPackage? {
        try await read { db in try Self.fetchPackage(version: version, in: db) }
    }

    static func fetchPackage(version: Int, in db: Database) throws -> PublishedPackage? {
        guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM packages WHERE version = ?"), arguments: [version])
        else { return nil }
        let roles = try String.fetchAll(
            db.cachedStatement(sql: "SELECT role FROM package_roles WHERE version = ? ORDER BY role"), arguments: [version])
        return PublishedPackage(
            name: row["name"], version: row["version"], source: row["source"], json: row["json"], roles: roles,
            publishedAt: RecordRow.date(row["published_at"]))
    }
}
