import CRMStore
import Foundation
import PostgresNIO

extension PostgresStore: PackageStore {
    public func publish(_ package: PublishedPackage) async throws {
        try await transaction { connection in
            // The same version published by two servers at once: the second insert waits for the first, then
            // compares with what it committed.
            let inserted = try await connection.rows(
                """
                INSERT INTO packages (version, name, source, json, published_at)
                VALUES (\(package.version), \(package.name), \(package.source), \(package.json),
                    \(StoreTime(package.publishedAt)))
                ON CONFLICT (version) DO NOTHING RETURNING version
                """, logger: self.logger
            )
            if inserted.isEmpty {
                let existing = try await connection.rows(
                    "SELECT json FROM packages WHERE version = \(package.version)", logger: self.logger
                )
                guard try existing.first?.decode(Data.self) == package.json else {
                    throw StoreError.alreadyExists("package version \(package.version)")
                }
            }
            for role in package.roles {
                try await connection.rows(
                    """
                    INSERT INTO package_roles (role, version) VALUES (\(role), \(package.version))
                    ON CONFLICT (role) DO UPDATE SET version = excluded.version
                    """, logger: self.logger)
            }
        }
        // The first record transaction after a publish builds the key table for the new package's global keys:
        // this one, now, rather than a user's write.
        try await recordTransaction { _ in }
    }

    public func publishedPackages() async throws -> [PublishedPackage] {
        try await execute("\(unescaped: Self.packageSelect) ORDER BY packages.version DESC").map(Self.package)
    }

    public func latestPackage() async throws -> PublishedPackage? {
        try await execute("\(unescaped: Self.packageSelect) ORDER BY packages.version DESC LIMIT 1").first
            .map(Self.package)
    }

    public func latestPackageVersion() async throws -> Int? {
        try await execute("SELECT max(version) FROM packages").first?.decode(Int?.self)
    }

    public func packageVersion(forRole role: String) async throws -> Int? {
        try await execute("SELECT version FROM package_roles WHERE role = \(role)").first?.decode(Int.self)
    }

    public func package(version: Int) async throws -> PublishedPackage? {
        try await execute("\(unescaped: Self.packageSelect) WHERE packages.version = \(version)").first
            .map(Self.package)
    }

    /// A package with the roles that use it now (sorted), in one statement so both come from one snapshot.
    static let packageSelect = """
        SELECT packages.version, name, source, json, published_at,
            ARRAY(SELECT role FROM package_roles WHERE package_roles.version = packages.version ORDER BY role)
        FROM packages
        """

    static func package(_ row: PostgresRow) throws -> PublishedPackage {
        let (version, name, source, json, publishedAt, roles) = try row.decode(
            (Int, String, String, Data, StoreTime, [String]).self)
        return PublishedPackage(
            name: name, version: version, source: source, json: json, roles: roles, publishedAt: publishedAt.date)
    }
}
