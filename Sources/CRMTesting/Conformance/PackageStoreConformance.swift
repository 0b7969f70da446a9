import CRMStore
import Foundation
import Testing

/// What every `PackageStore` does: published packages are immutable, versions are unique, and each role uses
/// the version it was last published with.
public struct PackageStoreConformance: Sendable {
    public let store: any PackageStore

    public init(store: any PackageStore) {
        self.store = store
    }

    static func package(_ version: Int, roles: [String], json: String? = nil) -> PublishedPackage {
        PublishedPackage(
            name: "default", version: version, source: "name: default\nversion: \(version)\n",
            json: Data((json ?? #"{"name":"default","version":\#(version)}"#).utf8), roles: roles,
            publishedAt: AccountsFixture.time(version))
    }

    public func publishedPackageReadsBackExactly() async throws {
        #expect(try await store.latestPackage() == nil)
        #expect(try await store.latestPackageVersion() == nil)
        #expect(try await store.publishedPackages() == [])
        #expect(try await store.packageVersion(forRole: "admin") == nil)
        let published = Self.package(1, roles: ["admin", "sales-rep"])
        try await store.publish(published)
        #expect(try await store.package(version: 1) == published)
        #expect(try await store.latestPackage() == published)
        #expect(try await store.latestPackageVersion() == 1)
        #expect(try await store.package(version: 2) == nil)
    }

    public func publishingSameVersionAndContentAgainIsIdempotent() async throws {
        try await store.publish(Self.package(1, roles: ["admin"]))
        try await store.publish(Self.package(1, roles: ["admin"]))
        #expect(try await store.publishedPackages().count == 1)
        #expect(try await store.packageVersion(forRole: "admin") == 1)
    }

    public func publishingSameVersionWithOtherContentIsRefused() async throws {
        let original = Self.package(1, roles: ["admin"])
        try await store.publish(original)
        await #expect(throws: StoreError.alreadyExists("package version 1")) {
            try await store.publish(Self.package(1, roles: ["admin", "sales-rep"], json: #"{"changed":true}"#))
        }
        #expect(try await store.package(version: 1) == original)
        #expect(try await store.packageVersion(forRole: "sales-rep") == nil)
    }

    /// One version published with other content by servers at once: one wins, the others are refused.
    public func concurrentPublishesOfOneVersionKeepOne() async throws {
        let store = store
        let outcomes = await withTaskGroup(of: (Int, (any Error)?).self) { group in
            for variant in 0..<6 {
                group.addTask {
                    let package = Self.package(1, roles: ["role-\(variant)"], json: #"{"variant":\#(variant)}"#)
                    do {
                        try await store.publish(package)
                        return (variant, nil)
                    } catch {
                        return (variant, error)
                    }
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        let winners = outcomes.filter { $0.1 == nil }.map(\.0)
        #expect(winners.count == 1)
        for (variant, error) in outcomes where error != nil {
            #expect(
                error as? StoreError == .alreadyExists("package version 1"),
                "\(variant): \(String(describing: error))")
        }
        guard let winner = winners.first else { return }
        #expect(try await store.package(version: 1)?.json == Data(#"{"variant":\#(winner)}"#.utf8))
        #expect(try await store.package(version: 1)?.roles == ["role-\(winner)"])
    }

    public func latestIsHighestVersionAndRolesFollowTheirLatestPublish() async throws {
        try await store.publish(Self.package(1, roles: ["admin", "sales-rep", "service-agent"]))
        try await store.publish(Self.package(2, roles: ["sales-rep"]))
        try await store.publish(Self.package(3, roles: ["admin"]))
        #expect(try await store.latestPackage()?.version == 3)
        #expect(try await store.latestPackageVersion() == 3)
        #expect(try await store.publishedPackages().map(\.version) == [3, 2, 1])
        #expect(try await store.packageVersion(forRole: "admin") == 3)
        #expect(try await store.packageVersion(forRole: "sales-rep") == 2)
        #expect(try await store.packageVersion(forRole: "service-agent") == 1)
        #expect(try await store.packageVersion(forRole: "sales-manager") == nil)
        #expect(try await store.package(version: 1)?.roles == ["service-agent"])
        try await store.publish(Self.package(4, roles: ["sales-rep", "service-agent"]))
        #expect(try await store.packageVersion(forRole: "sales-rep") == 4)
        #expect(try await store.packageVersion(forRole: "service-agent") == 4)
        #expect(try await store.package(version: 1)?.roles == [])
        #expect(try await store.publishedPackages().map(\.roles) == [["sales-rep", "service-agent"], ["admin"], [], []])
    }
}
