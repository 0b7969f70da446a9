import CRMModel
import CRMSyncProtocol
import CRMTesting
import Foundation
import Testing

@Suite("Sync session basics")
struct SyncSmokeTests {
    @Test func aFirstSyncBringsTheUsersRecordsAndAnIncrementalOneOnlyTheChanges() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let ritaToken = try await api.login("rita")
            let account = try await api.create("Account", ["name": "Acme"], token: ritaToken)
            let contact = try await api.create(
                "Contact", ["lastName": "Doe", "accountId": .string(account.id)], token: ritaToken)
            let peterToken = try await api.login("peter")
            _ = try await api.create("Account", ["name": "Peter's"], token: peterToken)

            var desktop = try await TestDesktop.connect(api, "rita")
            let begun = try await desktop.begin()
            #expect(begun.preview["Account"] == 1)
            #expect(begun.preview["Contact"] == 1)
            #expect(begun.package != nil)
            try await desktop.pullAll()
            #expect(Set(desktop.replica.keys) == [account.id, contact.id])

            let second = try await api.create("Contact", ["lastName": "Roe"], token: ritaToken)
            let pages = try await desktop.pullAll()
            #expect(pages.flatMap(\.upserts).map(\.record.id) == [second.id])
            try await desktop.end()

            // A push through the session, retried: applied once, same answer.
            try await desktop.begin()
            let op = SyncOp(
                opId: TestDesktop.opID(), kind: .create, type: "Account", id: RecordID.make(),
                fields: ["name": "Offline Inc"], editedAt: Date())
            let first = try await desktop.push([op])
            let again = try await desktop.push([op])
            #expect(first == again)
            #expect(first.first?.status == .applied)
            try await desktop.pullAll()
            #expect(desktop.records("Account").count == 2)
        }
    }
}
