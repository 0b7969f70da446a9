import CRMModel
import CRMServer
import CRMStore
import CRMSyncProtocol
import CRMTesting
import Foundation
import Testing

/// `crm-server device list|revoke`, run as an administrator would, on the database a live server uses.
@Suite struct DeviceCommandTests {
    @Test func devicesAreListedAsTextAndJSONAndRevokedWhileTheServerRuns() async throws {
        let server = try await TestServer.make()
        let database = server.databaseArgument
        try await server.run { api in
            let rita = try await api.login("rita")
            let laptop = try await api.registerDevice("rita-laptop", token: rita)
            let peters = try await api.registerDevice("peter-pc", token: try await api.login("peter"))
            let login = try await api.loginResponse("rita", device: laptop.id)
            #expect(try await api.send(.get, "/api/v1/package", token: login.token).status == .ok)

            let text = try await CommandTests.run(["device", "list", "--database", database], in: server.directory)
            #expect(text.status == 0, "\(text.error)")
            #expect(text.output.contains(laptop.id) && text.output.contains("rita-laptop"))
            #expect(text.output.contains(peters.id))

            let json = try await CommandTests.run(
                ["device", "list", "--user", "rita", "--format", "json", "--database", database], in: server.directory)
            #expect(json.status == 0, "\(json.error)")
            let listed = try CRMJSON.decoder().decode(DeviceList.self, from: Data(json.output.utf8)).devices
            #expect(listed.map(\.id) == [laptop.id])
            #expect(listed.first?.lastSeenAt != nil)

            let revoke = try await CommandTests.run(
                ["device", "revoke", laptop.id, "--database", database], in: server.directory)
            #expect(revoke.status == 0, "\(revoke.error)")
            #expect(revoke.output.contains("revoked \(laptop.id)"))
            let refused = try await api.send(.get, "/api/v1/package", token: login.token)
            #expect(refused.status == .forbidden)
            #expect(refused.errorCode == "revoked")
            #expect(try await api.send(.get, "/api/v1/package", token: rita).status == .ok)

            let after = try await CommandTests.run(
                ["device", "list", "--format", "json", "--database", database], in: server.directory)
            let devices = try CRMJSON.decoder().decode(DeviceList.self, from: Data(after.output.utf8)).devices
            #expect(devices.first { $0.id == laptop.id }?.isRevoked == true)
            #expect(devices.first { $0.id == peters.id }?.isRevoked == false)
        }
    }

    @Test func unknownDevicesUsersAndFormatsAreRefusedByName() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let missing = RecordID.make()
        let revoke = try await CommandTests.run(["device", "revoke", missing], in: directory)
        #expect(revoke.status != 0)
        #expect(revoke.error.contains(missing))
        let user = try await CommandTests.run(["device", "list", "--user", "nobody"], in: directory)
        #expect(user.status != 0 && user.error.contains("nobody"))
        let format = try await CommandTests.run(["device", "list", "--format", "xml"], in: directory)
        #expect(format.status != 0 && format.error.contains("xml"))
        let empty = try await CommandTests.run(["device", "list"], in: directory)
        #expect(empty.status == 0 && empty.output.hasPrefix("ID"))
    }
}
