import CRMModel
import CRMServer
import CRMSyncProtocol
import CRMTesting
import Foundation
import Testing

/// Edges of sessions and batches: a device's own successive edits, ops without a base version, a new
/// package, a second session of one device, and starting over.
@Suite("Sync session edges")
struct SyncSessionEdgeTests {
    @Test func twoEditsOfOneFieldInOneBatchAreTheDevicesOwnAndTheLastWins() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let account = try await api.create("Account", ["name": "Acme", "phone": "+1 100"], token: api.login("rita"))
            let maria = try await TestDesktop.ready(api, "maria")
            // Someone else changes another field, so the device's base is behind.
            _ = try await maria.push([.update("Account", account.id, base: 1, ["city": "Berlin"])])
            let rita = try await TestDesktop.ready(api, "rita", name: "laptop")
            let results = try await rita.push([
                .update("Account", account.id, base: 1, ["phone": "+1 200"]),
                .update("Account", account.id, base: 1, ["phone": "+1 300", "name": "Acme AG"]),
            ])
            #expect(results.map(\.status) == [.merged, .merged])
            #expect(results.allSatisfy { $0.conflicts == nil })
            #expect(results.last?.serverFields == ["city"])
            let stored = try #require(try await api.record("Account", account.id, token: rita.token))
            #expect(stored.fields["phone"] == "+1 300")
            #expect(stored.fields["name"] == "Acme AG")
            #expect(stored.fields["city"] == "Berlin")
            #expect(try await api.conflicts(token: rita.token).isEmpty)

            // An edit then a delete in one batch is not a delete-vs-update conflict with itself.
            let gone = try await rita.push([
                .update("Account", account.id, base: stored.version, ["phone": "+1 400"]),
                .delete("Account", account.id, base: stored.version),
            ])
            #expect(gone.map(\.status) == [.applied, .applied])
            #expect(try await api.record("Account", account.id, token: rita.token) == nil)
        }
    }

    @Test func anUpdateOrDeleteWithoutItsBaseVersionIsRejected() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let account = try await api.create("Account", ["name": "Acme"], token: api.login("rita"))
            let rita = try await TestDesktop.ready(api, "rita")
            let results = try await rita.push([
                SyncOp(opId: "u", kind: .update, type: "Account", id: account.id, fields: ["name": "X"], editedAt: Date()),
                SyncOp(opId: "d", kind: .delete, type: "Account", id: account.id, editedAt: Date()),
            ])
            #expect(results.map(\.status) == [.rejected, .held])
            #expect(results.first?.issues?.map(\.field) == ["baseVersion"])
            #expect(try await api.record("Account", account.id, token: rita.token)?.fields["name"] == "Acme")
        }
    }

    @Test func aNewPackageVersionSendsEveryRecordAgainUnderIt() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let token = try await api.login("rita")
            let account = try await api.create("Account", ["name": "Acme"], token: token)
            let contact = try await api.create("Contact", ["lastName": "Doe"], token: token)
            var rita = try await TestDesktop.connect(api, "rita")
            try await rita.sync()
            try await rita.begin()
            #expect(try await rita.pullAll().flatMap(\.upserts).isEmpty)
            try await rita.end()

            // A new version (here the same types; a role view could show or hide fields) reaches the device, and
            // the records it holds come again even though none of them changed.
            let yaml = try DefaultPackage.yaml().replacingOccurrences(of: "\nversion: 1\n", with: "\nversion: 2\n")
            try await PackageService(store: server.store).publish(yaml: yaml, file: "v2.yaml")
            let begun = try await rita.begin()
            #expect(begun.package?.version == 2)
            #expect(begun.package?.structural == false)
            #expect(begun.rescan)
            let again = try await rita.pullAll().flatMap(\.upserts).map(\.record.id)
            #expect(Set(again) == [account.id, contact.id])
            try await rita.end()
            try await rita.begin()
            #expect(try await rita.pullAll().flatMap(\.upserts).isEmpty)
        }
    }

    @Test func aNewSessionOfADeviceEndsItsOlderOneAndStartingOverVoidsOldCursors() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            _ = try await api.create("Account", ["name": "Acme"], token: api.login("rita"))
            var rita = try await TestDesktop.connect(api, "rita")
            try await rita.begin()
            try await rita.pullAll()
            let older = rita
            let oldCursor = try #require(rita.cursor)
            try await rita.begin()
            let stale = try await older.pullReply(cursor: oldCursor)
            #expect(stale.status == .conflict)
            #expect(stale.errorField == "session")
            let log = try await api.send(.get, "/api/v1/sync/sessions", token: rita.token).decode(SyncLogList.self)
            let superseded = try #require(log.sessions.first { $0.session == older.session })
            #expect(superseded.endedAt != nil)
            #expect(superseded.errors.contains { $0.contains("superseded") })

            // Pulling without a cursor starts over; the cursor from before may not continue after it.
            _ = try await rita.pullReply(cursor: nil)
            let voided = try await rita.pullReply(cursor: oldCursor)
            #expect(voided.status == .conflict)
            #expect(voided.errorCode == "reset")
        }
    }

    @Test func aConflictShowsNoValueOfAFieldTheViewersRoleHides() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            // sam (service agent: annualRevenue hidden) owns the account and was the last to change it.
            let account = try await api.create("Account", ["name": "Acme"], token: api.login("sam"))
            let ada = try await TestDesktop.ready(api, "ada", name: "desk")
            let adaPhone = try await TestDesktop.ready(api, "ada", name: "phone")
            _ = try await ada.push([.update("Account", account.id, base: 1, ["annualRevenue": 1000])])
            var sam = try await TestDesktop.ready(api, "sam")
            let samEdit = try await sam.push([.update("Account", account.id, base: 2, ["city": "Lyon"])])
            #expect(samEdit.first?.status == .applied)
            let raced = try #require(
                try await adaPhone.push([.update("Account", account.id, base: 1, ["annualRevenue": 2000])]).first)
            let conflict = try #require(raced.conflicts?.first)
            #expect(conflict.fields["serverValue"] == 1000)
            #expect(conflict.team == ["sam"])

            try await sam.pullAll()
            let seen = try #require(sam.replica[conflict.id]?.record)
            #expect(seen.fields["field"] == "annualRevenue")
            #expect(seen.fields["serverValue"] == nil)
            #expect(seen.fields["clientValue"] == nil)
            let listed = try await api.conflicts(token: sam.token)
            #expect(listed.map(\.id) == [conflict.id])
            #expect(listed.first?.fields["clientValue"] == nil)
        }
    }

    @Test func aCursorFromBeforeAPurgedDeleteGetsAReset() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let token = try await api.login("rita")
            let account = try await api.create("Account", ["name": "Acme"], token: token)
            var rita = try await TestDesktop.connect(api, "rita")
            try await rita.begin()
            try await rita.pullAll()
            let deleted = try await api.send(.delete, "/api/v1/records/Account/\(account.id)", token: token)
            #expect(deleted.status == .ok)
            // The tombstone goes before the device came back for it.
            _ = try await server.store.purge(before: Date().addingTimeInterval(60))
            try await rita.begin()
            let reply = try await rita.pullReply(cursor: rita.cursor)
            #expect(reply.status == .conflict)
            #expect(reply.errorCode == "reset")
            rita.replica = [:]
            rita.cursor = nil
            try await rita.pullAll()
            #expect(rita.replica.isEmpty)
        }
    }

    @Test func aSyncBodyFromATooOldProtocolIsAnsweredUpgradeRequired() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let rita = try await TestDesktop.connect(api, "rita")
            let reply = try await api.send(
                .post, "/api/v1/sync/begin", token: rita.token,
                json: SyncBeginRequest(protocolVersion: 0, device: rita.device.id, timeZone: "UTC"))
            #expect(reply.status == .upgradeRequired)
            #expect(reply.errorField == "protocolVersion")
            #expect(reply.text.contains("upgrade crm-desktop"))
        }
    }
}
