import CRMModel
import CRMServer
import CRMStore
import CRMTesting
import Foundation
import Testing

@Suite struct PackagePublishTests {
    static func yaml(version: Int, label: String = "Sales and service") throws -> String {
        var text = try DefaultPackage.yaml()
        text = text.replacingOccurrences(of: "\nversion: 1\n", with: "\nversion: \(version)\n")
        return text.replacingOccurrences(of: "\nlabel: ", with: "\nlabel: \(label) ", options: [], range: nil)
    }

    @Test func aNewVersionReachesItsRolesAtOnceAndOthersKeepTheirs() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let packages = PackageService(store: server.store)
            try await packages.publish(yaml: try Self.yaml(version: 2), file: "v2.yaml", roles: ["sales-rep"])
            #expect(try await server.store.latestPackageVersion() == 2)
            let rita = try await api.login("rita")
            let sam = try await api.login("sam")
            let ritaPackage = try await api.send(.get, "/api/v1/package", token: rita)
            #expect(ritaPackage.headers[.eTag] == "\"2\"")
            #expect(try ritaPackage.decode(CustomizationPackage.self).version == 2)
            let samPackage = try await api.send(.get, "/api/v1/package", token: sam)
            #expect(try samPackage.decode(CustomizationPackage.self).version == 1)
        }
    }

    @Test func olderOrRepublishedVersionsAndUnknownRolesAreRefusedNamingTheKey() async throws {
        let server = try await TestServer.make()
        let packages = PackageService(store: server.store)
        try await packages.publish(yaml: try Self.yaml(version: 3), file: "v3.yaml")
        do {
            try await packages.publish(yaml: try Self.yaml(version: 2), file: "v2.yaml")
            Issue.record("an older version was published")
        } catch let error as PackageLoadError {
            #expect(error.key == "version" && error.file == "v2.yaml" && error.message.contains("older"))
        }
        do {
            try await packages.publish(yaml: try Self.yaml(version: 3, label: "Changed"), file: "v3b.yaml")
            Issue.record("version 3 was published twice with other content")
        } catch let error as PackageLoadError {
            #expect(error.key == "version" && error.message.contains("already published"))
        }
        // The same content again is harmless.
        try await packages.publish(yaml: try Self.yaml(version: 3), file: "v3.yaml")
        do {
            try await packages.publish(yaml: try Self.yaml(version: 4), file: "v4.yaml", roles: ["astronaut"])
            Issue.record("a package was published for a role it does not define")
        } catch let error as PackageLoadError {
            #expect(error.key == "roles" && error.message.contains("astronaut"))
        }
        #expect(try await server.store.latestPackageVersion() == 3)
        server.directory.remove()
    }
}
