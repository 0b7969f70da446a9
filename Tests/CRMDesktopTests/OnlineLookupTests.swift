import CRMDesktop
import CRMModel
import CRMStore
import CRMSyncProtocol
import CRMTesting
import Foundation
import Testing

/// Online lookup (issue 12): `search --online` finds what the replica lacks, `fetch` brings one record by hand and
/// keeps it synced, `drop` lets it go; a record that leaves the user's visibility leaves the desktop too.
/// maria (a manager) syncs "my records", so her reports' records are visible to her but not in her filter.
@Suite("Online lookup: search, fetch, drop")
struct OnlineLookupTests {
    static func mariaOnMyRecords(_ api: TestAPI) async throws -> DesktopFixture {
        let desktop = try await DesktopFixture.make(api, user: "maria")
        try await desktop.sync()
        try desktop.desktop.chooseFilter("my-records", parameters: [:])
        try await desktop.sync()
        return desktop
    }

    @Test func aFetchedRecordTakesOfflineEditsAndLinksAndFollowsServerChanges() async throws {
        try await TestServer.make().run { api in
            let rita = try await api.login("rita"), maria = try await api.login("maria")
            let faraway = try await api.create("Account", ["name": "Faraway Industries"], token: rita)
            let desktop = try await Self.mariaOnMyRecords(api)
            let presenter = RecordPresenter(package: try desktop.editor().package)
            #expect(try desktop.record(faraway.id) == nil, "outside maria's filter")
            #expect(try desktop.desktop.searchLocal(type: "Account", text: "faraway", presenter: presenter).isEmpty)
            let found = try await desktop.desktop.searchOnline(type: "Account", text: "faraw")
            #expect(found.results.map(\.id) == [faraway.id])

            try await desktop.desktop.fetch(type: "Account", id: faraway.id)
            try await desktop.sync()
            let held = try #require(try desktop.record(faraway.id))
            #expect(!held.incomplete, "a fetched record is editable, not a read-only reference")
            #expect(try desktop.replica.fetchedIDs() == [faraway.id])
            #expect(try desktop.desktop.status().fetched == 1)
            #expect(try desktop.desktop.searchLocal(type: "Account", text: "faraway", presenter: presenter).count == 1)

            // Offline: an edit of the fetched record and a contact linked to it; then one sync sends both.
            _ = try desktop.editor().update(type: "Account", id: faraway.id, fields: ["city": "Lisbon"])
            let contact = try desktop.editor().create(
                type: "Contact", fields: ["lastName": "Pessoa", "accountId": .string(faraway.id)])
            try await desktop.sync()
            let onServer = try await api.send(.get, "/api/v1/records/Account/\(faraway.id)", token: rita)
            #expect(try onServer.decode(Record.self).fields["city"] == "Lisbon")
            let linked = try await api.send(.get, "/api/v1/records/Contact/\(contact.id)", token: maria)
            #expect(try linked.decode(Record.self).fields["accountId"]?.stringValue == faraway.id)

            // A later change on the server reaches the desktop: the record stays in its scope.
            let rename = try await api.send(
                .patch, "/api/v1/records/Account/\(faraway.id)", token: rita, body: #"{"fields": {"name": "Faraway AG"}}"#)
            #expect(rename.status == .ok, "\(rename.text)")
            try await desktop.sync()
            #expect(try desktop.record(faraway.id)?.record.fields["name"] == "Faraway AG")
            #expect(try desktop.record(faraway.id)?.incomplete == false)
        }
    }

    @Test func aDroppedRecordLeavesWithTheNextSyncAndStaysAway() async throws {
        try await TestServer.make().run { api in
            let rita = try await api.login("rita")
            let passing = try await api.create("Account", ["name": "Passing Interest"], token: rita)
            let desktop = try await Self.mariaOnMyRecords(api)
            try await desktop.desktop.fetch(type: "Account", id: passing.id)
            try await desktop.sync()
            #expect(try desktop.record(passing.id) != nil)

            try await desktop.desktop.drop(type: "Account", id: passing.id)
            try await desktop.sync()
            #expect(try desktop.record(passing.id) == nil)
            #expect(try desktop.replica.fetchedIDs().isEmpty)
            // Later changes do not bring it back.
            let change = try await api.send(
                .patch, "/api/v1/records/Account/\(passing.id)", token: rita, body: #"{"fields": {"city": "Oslo"}}"#)
            #expect(change.status == .ok)
            try await desktop.sync()
            #expect(try desktop.record(passing.id) == nil)
        }
    }

    @Test func aFetchedRecordThatLeavesVisibilityIsRemoved() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let rita = try await api.login("rita")
            let moving = try await api.create("Account", ["name": "Moving Target"], token: rita)
            let desktop = try await Self.mariaOnMyRecords(api)
            try await desktop.desktop.fetch(type: "Account", id: moving.id)
            try await desktop.sync()
            #expect(try desktop.record(moving.id) != nil)

            // peter is outside maria's team: the record leaves her visibility.
            _ = try await server.store.update(id: moving.id, expectedVersion: nil, references: []) {
                var record = $0
                record.owner = "peter"
                record.version += 1
                return record
            }
            try await desktop.sync()
            #expect(try desktop.record(moving.id) == nil)
            #expect(try desktop.replica.fetchedIDs().isEmpty)
            // And the server forgot it: it does not come back if it becomes visible again.
            try await desktop.sync()
            #expect(try await server.store.fetchedRecords(device: desktop.settings.device).isEmpty)
        }
    }

    @Test func fetchingARecordTheUserMayNotSeeIsNotFound() async throws {
        try await TestServer.make().run { api in
            let peter = try await api.login("peter")
            let hidden = try await api.create("Account", ["name": "Not For Maria"], token: peter)
            let desktop = try await Self.mariaOnMyRecords(api)
            #expect(try await desktop.desktop.searchOnline(type: "Account", text: "maria").results.isEmpty)
            await #expect(throws: DesktopError.self) { try await desktop.desktop.fetch(type: "Account", id: hidden.id) }
            #expect(try desktop.replica.fetchedIDs().isEmpty)
        }
    }

    @Test func theCommandsSearchFetchShowAndDrop() async throws {
        try await TestServer.make().run { api in
            let rita = try await api.login("rita")
            let target = try await api.create("Account", ["name": "Commandline Corp", "city": "Porto"], token: rita)
            let desktop = try await Self.mariaOnMyRecords(api)
            let home = desktop.home.path
            let offline = try await Processes.run("crm-desktop", ["--home", home, "search", "Account", "commandline"])
            #expect(offline.status == 0, "\(offline.error)")
            #expect(offline.error.contains("0 Account records in this desktop match"), "\(offline.error)")
            let online = try await Processes.run(
                "crm-desktop", ["--home", home, "search", "Account", "command", "--online"])
            #expect(online.status == 0, "\(online.error)")
            #expect(online.output.contains(target.id) && online.output.contains("Porto"), "\(online.output)")
            let fetch = try await Processes.run("crm-desktop", ["--home", home, "fetch", "Account", target.id])
            #expect(fetch.status == 0, "\(fetch.error)")
            let show = try await Processes.run("crm-desktop", ["--home", home, "show", "Account", target.id])
            #expect(show.output.contains("added by hand"), "\(show.output)")
            let status = try await Processes.run("crm-desktop", ["--home", home, "status"])
            #expect(status.output.contains("By hand:    1"), "\(status.output)")
            let drop = try await Processes.run("crm-desktop", ["--home", home, "drop", "Account", target.id])
            #expect(drop.status == 0, "\(drop.error)")
            #expect(try desktop.record(target.id) == nil)
        }
    }
}
