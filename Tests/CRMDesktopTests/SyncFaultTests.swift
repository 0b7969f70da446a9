import CRMDesktop
import CRMModel
import CRMServer
import CRMSyncProtocol
import CRMTesting
import Foundation
import GRDB
import Testing

@Suite("Sync faults")
struct SyncFaultTests {
    @Test func aResetAnswerRebuildsTheReplicaAndKeepsTheOutbox() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let rita = try await api.login("rita")
            let acme = try await api.create("Account", ["name": "Acme"], token: rita)
            let desktop = try await DesktopFixture.make(api, user: "rita")
            try await desktop.sync()
            try desktop.editor().update(type: "Account", id: acme.id, fields: ["city": "Oslo"])
            // A cursor the server cannot continue from (here: forged) is answered "reset".
            let queue = try DatabaseQueue(path: desktop.home.replicaPath)
            try await queue.write { db in try db.execute(sql: "UPDATE meta SET value = 'forged' WHERE key = 'cursor'") }

            let receipt = try await desktop.sync()
            #expect(receipt.counts.applied == 1)
            #expect(try desktop.replica.outbox().isEmpty)
            #expect(try desktop.record(acme.id)?.fields["city"] == "Oslo")
            #expect(try desktop.records("Account").count == 1)
        }
    }

    @Test func aRevokedDeviceWipesItsReplicaAfterSavingTheUnsentEdits() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let desktop = try await DesktopFixture.make(api, user: "rita")
            try await desktop.sync()
            try desktop.editor().create(type: "Account", fields: ["name": "Unsent Ltd"])
            let rita = try await api.login("rita")
            let revoke = try await api.send(.delete, "/api/v1/devices/\(desktop.settings.device)", token: rita)
            #expect(revoke.status.code < 300)

            let error = try await #require(throws: DesktopError.self) { try await desktop.sync() }
            #expect(error.code == .revoked)
            #expect(error.message.contains("Unsent Ltd"))
            #expect(!FileManager.default.fileExists(atPath: desktop.home.replicaPath))
            #expect(desktop.home.refreshToken() == nil)
            let saved = try FileManager.default.contentsOfDirectory(atPath: desktop.home.path)
                .filter { $0.hasPrefix("unsent-edits-") }
            #expect(saved.count == 1)
            let text = try String(contentsOfFile: desktop.home.file(saved[0]), encoding: .utf8)
            #expect(text.contains("Unsent Ltd"))
        }
    }

    @Test func anUnreachableServerKeepsTheEditsQueuedAndSaysSo() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let desktop = try await DesktopFixture.make(api, user: "rita")
            try await desktop.sync()
            try desktop.editor().create(type: "Account", fields: ["name": "Offline Inc"])
            var settings = desktop.settings
            settings.server = "http://127.0.0.1:1"
            let offline = Desktop(
                home: desktop.home, settings: settings, replica: desktop.replica,
                connection: try ServerConnection(
                    home: desktop.home, settings: settings, client: ServerClient.desktop(settings.server)))

            let error = try await #require(throws: DesktopError.self) { try await offline.engine().run() }
            #expect(error.code == .unreachable)
            #expect(try desktop.replica.outbox().count == 1)
            #expect(try desktop.replica.receipts().first?.outcome == .failed)

            let back = try await desktop.sync()
            #expect(back.counts.applied == 1)
        }
    }

    @Test func anEndedSignInAsksToLogInAgainAndKeepsTheOutbox() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let fixture = try await DesktopFixture.make(api, user: "rita")
            try await fixture.sync()
            try fixture.editor().create(type: "Account", fields: ["name": "Waiting GmbH"])
            try fixture.home.saveRefreshToken("not-a-token-the-server-knows")
            let desktop = try Desktop.open(home: fixture.home)

            let error = try await #require(throws: DesktopError.self) { try await desktop.engine().run() }
            #expect(error.code == .loginRequired)
            #expect(error.message.contains("crm-desktop login"))
            #expect(try desktop.replica.outbox().count == 1)

            try await desktop.login(password: TestServer.password)
            let receipt = try await Desktop.open(home: fixture.home).engine().run()
            #expect(receipt.counts.applied == 1)
        }
    }

    @Test func onlyOneSyncRunsAtATimePerHomeFolder() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let desktop = try await DesktopFixture.make(api, user: "rita")
            let held = try SyncLock(path: desktop.home.lockPath)
            let error = try await #require(throws: DesktopError.self) { try await desktop.sync() }
            #expect(error.code == .syncRunning)
            withExtendedLifetime(held) {}
        }
    }

    @Test func aDamagedReplicaIsRefusedAndRebuiltOnlyWhenAsked() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let fixture = try await DesktopFixture.make(api, user: "rita")
            try await fixture.sync()
            let path = fixture.home.replicaPath
            for suffix in ["-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
            try Data(repeating: 0x41, count: 8192).write(to: URL(fileURLWithPath: path))

            let error = try #require(throws: DesktopError.self) { try Desktop.open(home: fixture.home) }
            #expect(error.code == .damagedReplica)
            #expect(error.message.contains("crm-desktop rebuild"))
            #expect(FileManager.default.contents(atPath: path)?.count == 8192)

            let outcome = try Desktop.rebuild(home: fixture.home)
            #expect(FileManager.default.fileExists(atPath: outcome.aside))
            #expect(outcome.unreadable != nil)
            let rebuilt = try Desktop.open(home: fixture.home)
            let receipt = try await rebuilt.engine().run()
            #expect(receipt.outcome == .success)
        }
    }

    @Test func aRebuildOfAReadableReplicaKeepsTheUnsentEditsAndTheExclusions() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let rita = try await api.login("rita")
            let hidden = try await api.create("Account", ["name": "Hidden Here"], token: rita)
            let fixture = try await DesktopFixture.make(api, user: "rita")
            try await fixture.sync()
            try fixture.editor().removeLocally(type: "Account", id: hidden.id)
            try fixture.editor().create(type: "Account", fields: ["name": "Typed Before The Rebuild"])

            let outcome = try Desktop.rebuild(home: fixture.home)
            #expect(outcome.carriedOps == 1)
            #expect(outcome.carriedExclusions == 1)
            let rebuilt = try Desktop.open(home: fixture.home)
            let receipt = try await rebuilt.engine().run()
            #expect(receipt.counts.applied == 1)
            let names = try rebuilt.replica.localRecords(type: "Account", user: "rita").compactMap { $0.fields["name"]?.stringValue }
            #expect(names == ["Typed Before The Rebuild"])
        }
    }

    @Test func theHomeFolderIsPrivateAndKeepsNoPassword() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let desktop = try await DesktopFixture.make(api, user: "rita")
            let folder = try FileManager.default.attributesOfItem(atPath: desktop.home.path)
            #expect((folder[.posixPermissions] as? Int) == 0o700)
            let token = try FileManager.default.attributesOfItem(atPath: desktop.home.credentialsPath)
            #expect((token[.posixPermissions] as? Int) == 0o600)
            for name in try FileManager.default.contentsOfDirectory(atPath: desktop.home.path) {
                let data = FileManager.default.contents(atPath: desktop.home.file(name)) ?? Data()
                #expect(!String(decoding: data, as: UTF8.self).contains(TestServer.password))
            }
        }
    }
}
