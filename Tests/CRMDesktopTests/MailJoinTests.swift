import CRMDesktop
import CRMModel
import CRMTesting
import Foundation
import Testing

/// A second user sharing a message the CRM has joins the first user's email activity on the server, and what
/// their copy links is kept: contacts added, an account or opportunity where the record has none, attachments
/// it lacks. Nothing the first user linked is replaced.
@Suite("Email sharing joins")
struct MailJoinTests {
    @Test func secondSharerJoiningAnEmailAddsTheirContactsAccountAndAttachments() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let world = try await MailShareTests.world(api)
            defer { world.files.remove() }
            let peterToken = try await api.login("peter")
            let newco = try await api.create("Account", ["name": "Newco"], token: peterToken)
            let nina = try await api.create(
                "Contact", ["firstName": "Nina", "lastName": "Newman", "email": "nina@new.example", "accountId": .string(newco.id)],
                token: peterToken)

            // From Ada (Rita's contact at Acme), with Nina (Peter's contact at Newco) in copy; Peter's copy came
            // with the offer attached.
            let headers = (
                from: "ada@acme.example", to: ["rita@example.com", "peter@example.com"], cc: ["nina@new.example"]
            )
            let ritaCopy = MailMessages.message(
                from: headers.from, to: headers.to, cc: headers.cc, subject: "Offer for all", id: "join-1@acme.example")
            let peterCopy = MailMessages.message(
                from: headers.from, to: headers.to, cc: headers.cc, subject: "Offer for all", id: "join-1@acme.example",
                attachments: [MailMessages.offer])
            let ritaShare = try world.rita.desktop.shareMail(files: [try world.write(ritaCopy, "rita.eml")])[0]
            let activityID = try #require(ritaShare.recordID)
            try await world.rita.sync()

            // An email Rita has no contact for: Peter's copy brings the contact and its account.
            let stranger = MailMessages.message(
                from: "someone@else.example", to: ["rita@example.com", "peter@example.com"], cc: ["nina@new.example"],
                subject: "From a stranger", id: "join-2@else.example")
            let strangerShare = try world.rita.desktop.shareMail(files: [try world.write(stranger, "stranger.eml")])[0]
            let strangerID = try #require(strangerShare.recordID)
            try await world.rita.sync()

            let peter = try await DesktopFixture.make(api, user: "peter")
            try await peter.sync()
            let results = try peter.desktop.shareMail(
                files: [try world.write(peterCopy, "peter.eml"), try world.write(stranger, "peter-stranger.eml")])
            #expect(results.map(\.outcome) == [.shared, .shared], "\(results)")
            let receipt = try await peter.sync()
            #expect(receipt.counts.merged == 2, "\(receipt.line)")

            let ritaToken = try await api.login("rita")
            let joined = try await api.send(.get, "/api/v1/records/Activity/\(activityID)", token: ritaToken)
            let fields = try #require(joined.json["fields"] as? [String: Any], "\(joined.text)")
            #expect(Set(fields["contactIds"] as? [String] ?? []) == [world.ada.id, nina.id], "\(joined.text)")
            #expect(fields["accountId"] as? String == world.acme.id, "Rita's account stays: \(joined.text)")
            #expect(fields["opportunityId"] as? String == world.bigDeal.id, "\(joined.text)")
            let attachments = fields["attachments"] as? [[String: Any]] ?? []
            #expect(attachments.map { $0["name"] as? String } == ["Angebot 2026.pdf"], "\(joined.text)")
            #expect(Set(joined.json["team"] as? [String] ?? []).contains("peter"))

            let filled = try await api.send(.get, "/api/v1/records/Activity/\(strangerID)", token: ritaToken)
            let filledFields = try #require(filled.json["fields"] as? [String: Any], "\(filled.text)")
            #expect(filledFields["contactIds"] as? [String] == [nina.id], "\(filled.text)")
            #expect(filledFields["accountId"] as? String == newco.id, "\(filled.text)")

            // Rita's desktop gets the joined record, attachment content included.
            let ritaReceipt = try await world.rita.sync()
            #expect(ritaReceipt.counts.rejected == 0, "\(ritaReceipt.line)")
            let ritaView = try #require(try world.rita.record(activityID))
            #expect(AttachmentRef.list(ritaView.fields["attachments"]).map(\.name) == ["Angebot 2026.pdf"])
        }
    }
}
