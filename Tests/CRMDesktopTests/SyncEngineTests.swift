import CRMDesktop
import CRMModel
import CRMServer
import CRMSyncProtocol
import CRMTesting
import Foundation
import Testing

@Suite("Sync engine")
struct SyncEngineTests {
    @Test func firstSyncInstallsThePackageAndBringsTheUsersRecords() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let rita = try await api.login("rita")
            let acme = try await api.create("Account", ["name": "Acme", "city": "Berlin"], token: rita)
            let peter = try await api.login("peter")
            _ = try await api.create("Account", ["name": "Not Rita's"], token: peter)

            let desktop = try await DesktopFixture.make(api, user: "rita")
            let receipt = try await desktop.sync()

            #expect(receipt.outcome == .success)
            #expect(try desktop.replica.packageVersion() != nil)
            let accounts = try desktop.records("Account")
            #expect(accounts.map(\.id) == [acme.id])
            #expect(accounts.first?.fields["city"] == "Berlin")
            #expect(try desktop.replica.cursor() != nil)
            #expect(try desktop.replica.receipts().first?.outcome == .success)
        }
    }

    @Test func anOfflineEditReachesTheServerWithTheNextSync() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let rita = try await api.login("rita")
            let acme = try await api.create("Account", ["name": "Acme"], token: rita)
            let desktop = try await DesktopFixture.make(api, user: "rita")
            try await desktop.sync()

            let editor = try desktop.editor()
            try editor.update(type: "Account", id: acme.id, fields: ["city": "Paris"])
            let created = try editor.create(type: "Contact", fields: ["lastName": "Curie", "accountId": .string(acme.id)])
            #expect(try desktop.record(acme.id)?.fields["city"] == "Paris")
            #expect(try desktop.replica.outbox().count == 2)

            let receipt = try await desktop.sync()
            #expect(receipt.counts.pushed == 2)
            #expect(receipt.counts.applied == 2)
            #expect(try desktop.replica.outbox().isEmpty)

            let onServer = try await api.send(.get, "/api/v1/records/Account/\(acme.id)", token: rita).decode(Record.self)
            #expect(onServer.fields["city"] == "Paris")
            let contact = try await api.send(.get, "/api/v1/records/Contact/\(created.id)", token: rita).decode(Record.self)
            #expect(contact.fields["lastName"] == "Curie")
            #expect(try desktop.record(created.id)?.serverVersion == 1)
        }
    }

    @Test func anInvalidEditIsRefusedOfflineNamingEveryField() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let desktop = try await DesktopFixture.make(api, user: "rita")
            try await desktop.sync()
            let editor = try desktop.editor()
            let error = try #require(throws: DesktopError.self) {
                try editor.create(type: "Opportunity", assignments: ["amount=lots", "stage=Dreaming", "colour=red"])
            }
            #expect(error.code == .invalidInput)
            #expect(Set(error.issues.map(\.field)) == ["name", "amount", "stage", "colour"])
            #expect(try desktop.replica.outbox().isEmpty)
        }
    }

    @Test func twoDesktopsEditingDisjointFieldsMergeAndTheSameFieldConflicts() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let rita = try await api.login("rita")
            let acme = try await api.create("Account", ["name": "Acme"], token: rita)
            let (laptop, tablet) = try await DesktopFixture.pair(api, user: "rita")

            try laptop.editor().update(type: "Account", id: acme.id, fields: ["city": "Lyon", "phone": "+33 1"])
            try tablet.editor().update(type: "Account", id: acme.id, fields: ["city": "Nice", "website": "https://acme.fr"])
            let first = try await laptop.sync()
            #expect(first.counts.applied == 1)
            let second = try await tablet.sync()
            #expect(second.counts.conflicts == 1)
            #expect(second.outcome == .partial)
            try await laptop.sync()

            for desktop in [laptop, tablet] {
                let account = try #require(try desktop.record(acme.id))
                #expect(account.fields["phone"] == "+33 1")
                #expect(account.fields["website"] == "https://acme.fr")
                #expect(account.pendingOps == 0)
                let conflicts = try desktop.records(ConflictRecord.typeName)
                #expect(conflicts.count == 1)
                #expect(conflicts.first?.fields["field"] == "city")
            }
            #expect(try laptop.record(acme.id)?.fields["city"] == tablet.record(acme.id)?.fields["city"])
        }
    }

    @Test func aPulledUpsertNeverOverwritesAPendingEdit() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let rita = try await api.login("rita")
            let acme = try await api.create("Account", ["name": "Acme"], token: rita)
            let desktop = try await DesktopFixture.make(api, user: "rita")
            try await desktop.sync()
            try desktop.editor().update(type: "Account", id: acme.id, fields: ["city": "Mine"])
            // Pull only (no push): the server's change arrives while the edit waits.
            _ = try await api.send(
                .patch, "/api/v1/records/Account/\(acme.id)", token: rita, body: #"{"fields":{"phone":"+1 555"}}"#,
                headers: [.ifMatch: "\"1\""])
            let page = try await pullOnce(api, desktop)
            try desktop.replica.apply(page)

            let seen = try #require(try desktop.record(acme.id))
            #expect(seen.fields["city"] == "Mine")
            #expect(seen.fields["phone"] == "+1 555")
            #expect(seen.serverVersion == 2)
            #expect(try desktop.replica.outbox().count == 1)
        }
    }

    @Test func aRefusedEditStaysVisibleAsAFailedOpAndAFixSendsIt() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let desktop = try await DesktopFixture.make(api, user: "rita")
            try await desktop.sync()
            // A contact pointing to an account that does not exist passes the offline check (a bare id) but
            // the server refuses it.
            let contact = try desktop.editor().create(
                type: "Contact", fields: ["lastName": "Ghost", "accountId": .string(RecordID.make())])
            let receipt = try await desktop.sync()
            #expect(receipt.counts.rejected == 1)
            #expect(receipt.outcome == .partial)
            let failed = try #require(try desktop.replica.outbox().first)
            #expect(failed.state == .failed)
            #expect(failed.failure?.issues.map(\.field) == ["accountId"])
            #expect(try desktop.record(contact.id)?.fields["lastName"] == "Ghost")

            try desktop.editor().update(type: "Contact", id: contact.id, fields: ["accountId": .null])
            let fixed = try await desktop.sync()
            #expect(fixed.counts.applied == 1)
            #expect(try desktop.replica.outbox().isEmpty)
            #expect(try desktop.record(contact.id)?.serverVersion == 1)
        }
    }

    @Test func aFixToARefusedCreateAlsoSendsTheEditsHeldBehindIt() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let desktop = try await DesktopFixture.make(api, user: "rita")
            try await desktop.sync()
            let editor = try desktop.editor()
            let contact = try editor.create(
                type: "Contact", fields: ["lastName": "Ghost", "accountId": .string(RecordID.make())])
            try await desktop.sync()
            try editor.update(type: "Contact", id: contact.id, fields: ["title": "CTO"])
            let second = try await desktop.sync()
            #expect(second.counts.rejected == 1)
            let outbox = try desktop.replica.outbox()
            #expect(outbox.map(\.state) == [.failed])
            #expect(outbox.first?.op.kind == .create)

            try editor.update(type: "Contact", id: contact.id, fields: ["accountId": .null, "email": "ghost@example.com"])
            let fixed = try await desktop.sync()
            #expect(fixed.counts.applied == 1)
            #expect(try desktop.replica.outbox().isEmpty)
            let rita = try await api.login("rita")
            let onServer = try await api.send(.get, "/api/v1/records/Contact/\(contact.id)", token: rita).decode(Record.self)
            #expect(onServer.fields["title"] == "CTO")
            #expect(onServer.fields["email"] == "ghost@example.com")
            #expect(onServer.fields["accountId"] == nil)
        }
    }

    /// One pull of the fixture's device outside the engine, to interleave server changes with local ones.
    private func pullOnce(_ api: TestAPI, _ desktop: DesktopFixture) async throws -> SyncPage {
        let connection = try ServerConnection(home: desktop.home, settings: desktop.settings)
        let token = try await connection.accessToken()
        let client = connection.client
        let begin = try await client.begin(
            SyncBeginRequest(device: desktop.settings.device, packageVersion: try desktop.replica.packageVersion(), timeZone: "UTC"),
            token: token)
        let page = try await client.pull(
            SyncPullRequest(session: begin.session, cursor: try desktop.replica.cursor()), token: token)
        _ = try await client.end(SyncEndRequest(session: begin.session, counts: SyncCounts()), token: token)
        return page
    }
}
