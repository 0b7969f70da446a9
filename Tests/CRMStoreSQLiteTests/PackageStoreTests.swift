import CRMStore
import CRMStoreSQLite
import Foundation
import Testing

@Suite("Published packages")
struct PackageStoreTests {
    static func package(_ version: Int, roles: [String], json: String? = nil) -> PublishedPackage {
        PublishedPackage(
            name: "default", version: version, source: "name: default\nversion: \(version)\n",
            json: Data((json ?? #"{"name":"default","version":\#(version)}"#).utf8), roles: roles,
            publishedAt: Fixture.time(version))
    }

    @Test func publishedPackageReadsBackExactly() async throws {
        try await withStore { store in
            #expect(try await store.latestPackage() == nil)
            #expect(try await store.packageVersion(forRole: "admin") == nil)
            let published = Self.package(1, roles: ["admin", "sales-rep"])
            try await store.publish(published)
            #expect(try await store.package(version: 1) == published)
            #expect(try await store.latestPackage() == published)
            #expect(try await store.package(version: 2) == nil)
        }
    }

    @Test func publishingSameVersionAndContentAgainIsIdempotent() async throws {
        try await withStore { store in
            try await store.publish(Self.package(1, roles: ["admin"]))
            try await store.publish(Self.package(1, roles: ["admin"]))
            #expect(try await store.publishedPackages().count == 1)
            #expect(try await store.packageVersion(forRole: "admin") == 1)
        }
    }

    @Test func publishingSameVersionWithOtherContentIsRefused() async throws {
        try await withStore { store in
            let original = Self.package(1, roles: ["admin"])
            try await store.publish(original)
            await #expect(throws: StoreError.alreadyExists("package version 1")) {
                try await store.publish(Self.package(1, roles: ["admin", "sales-rep"], json: #"{"changed":true}"#))
            }
            #expect(try await store.package(version: 1) == original)
            #expect(try await store.packageVersion(forRole: "sales-rep") == nil)
        }
    }

    @Test func latestIsHighestVersionAndRolesFollowTheirLatestPublish() async throws {
        try await withStore { store in
            try await store.publish(Self.package(1, roles: ["admin", "sales-rep", "service-agent"]))
            try await store.publish(Self.package(2, roles: ["sales-rep"]))
            try await store.publish(Self.package(3, roles: ["admin"]))
            #expect(try await store.latestPackage()?.version == 3)
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
        }
    }
}
