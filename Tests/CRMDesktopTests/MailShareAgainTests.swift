import CRMDesktop
import CRMModel
import CRMTesting
import Foundation
import Testing

/// Sharing a message the desktop holds already still does what the user asks: `--create-contacts` creates the
/// contacts and adds them to the email, and a manager who shares a report's email joins it and sees it listed.
@Suite("Email sharing again")
struct MailShareAgainTests {
    /// `Date:` text for now, so that the email is inside the activities' sync window.
    static var now: String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss Z"
        return formatter.string(from: Date())
    }

    @Test func sharingAgainWithCreateContactsAddsTheNewContactsToTheSharedEmail() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let world = try await MailShareTests.world(api)
            defer { world.files.remove() }
            let file = try world.write(
                MailMessages.message(
                    from: "ada@acme.example", to: ["rita@example.com"], cc: ["\"Newman, Nina\" <nina@new.example>"],
                    subject: "Meet Nina", id: "nina-1@acme.example"), "nina.eml")
            let desktop = try world.rita.desktop
            let first = try desktop.shareMail(files: [file])[0]
            #expect(first.notes.contains { $0.contains("--create-contacts") }, "\(first.notes)")
            let activityID = try #require(first.recordID)
            // The first share went to the server already: the contacts are added to the synced record.
            try await world.rita.sync()

            let again = try desktop.shareMail(files: [file], options: MailShareOptions(createContacts: true))[0]
            #expect(again.outcome == .alreadyShared, "\(again)")
            #expect(again.recordID == activityID)
            #expect(again.notes.contains { $0.contains("created contacts: Newman, Nina") }, "\(again.notes)")
            let nina = try #require(try world.rita.records("Contact").first { $0.fields["email"] == "nina@new.example" })
            #expect(nina.fields["lastName"] == "Newman")
            let local = try #require(try world.rita.record(activityID))
            #expect(Set(local.fields["contactIds"]?.stringArray ?? []) == [world.ada.id, nina.id])

            let receipt = try await world.rita.sync()
            #expect(receipt.counts.rejected == 0, "\(receipt.line)")
            let stored = try await api.send(.get, "/api/v1/records/Activity/\(activityID)", token: try await api.login("rita"))
            let fields = try #require(stored.json["fields"] as? [String: Any], "\(stored.text)")
            #expect(Set(fields["contactIds"] as? [String] ?? []) == [world.ada.id, nina.id], "\(stored.text)")
        }
    }

    @Test func managerSharingAReportsSharedEmailJoinsItsTeamAndListsIt() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let world = try await MailShareTests.world(api)
            defer { world.files.remove() }
            let message = MailMessages.message(
                from: "ada@acme.example", to: ["rita@example.com", "maria@example.com"], subject: "To the team",
                id: "team-1@acme.example", date: Self.now)
            let ritaShare = try world.rita.desktop.shareMail(files: [try world.write(message, "team.eml")])[0]
            let activityID = try #require(ritaShare.recordID)
            try await world.rita.sync()

            // Maria manages Rita: her team filter brings Rita's email down before she shares her own copy.
            let maria = try await DesktopFixture.make(api, user: "maria")
            try await maria.sync()
            let held = try #require(try maria.record(activityID))
            #expect(held.record.owner == "rita" && !held.record.team.contains("maria"))

            let desktop = try maria.desktop
            let share = try desktop.shareMail(files: [try world.write(message, "team-maria.eml")])[0]
            #expect(share.outcome == .alreadyShared, "\(share)")
            #expect(share.recordID == activityID)
            #expect(share.notes.contains { $0.contains("rita shared this email already") }, "\(share.notes)")
            let status = try desktop.mailStatus()
            #expect(status.recent.map(\.recordID) == [activityID])
            #expect(status.recent.first?.queued == true)

            let receipt = try await maria.sync()
            let failures = try maria.replica.outbox().map { "\($0.failure as Any)" }
            #expect(receipt.counts.rejected == 0, "\(receipt.line) \(failures)")
            let stored = try await api.send(.get, "/api/v1/records/Activity/\(activityID)", token: try await api.login("rita"))
            #expect((stored.json["team"] as? [String])?.contains("maria") == true, "\(stored.text)")
            #expect(try desktop.mailStatus().recent.first?.queued == false)
        }
    }
}
