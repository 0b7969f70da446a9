import CRMDesktop
import CRMModel
import CRMTesting
import Foundation
import Testing

/// Sharing odd email through the desktop and a real server: contacts of two accounts, a wrong opportunity,
/// own addresses in another case or not known yet, odd attachments and ids, an unknown charset and a file
/// over the size limit. Each message gets a clear report; none refuses another.
@Suite("Email sharing edges")
struct MailShareEdgeTests {
    @Test func contactsOfTwoAccountsLinkNoAccountAndAWrongOpportunityIsRefusedNamingIt() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let world = try await MailShareTests.world(api)
            defer { world.files.remove() }
            let gamma = try await api.create("Account", ["name": "Gamma"], token: try await api.login("rita"))
            let gammaDeal = try await api.create(
                "Opportunity", ["name": "Gamma deal", "stage": "Proposal", "accountId": .string(gamma.id)],
                token: try await api.login("rita"))
            try await world.rita.sync()
            let file = try world.write(
                MailMessages.message(
                    from: "ada@acme.example", to: ["rita@example.com"], cc: ["bob@beta.example"], subject: "Both of you",
                    id: "two-accounts@acme.example"), "two.eml")
            let desktop = try world.rita.desktop
            let first = try desktop.shareMail(files: [file])[0]
            #expect(first.outcome == .shared)
            let note = try #require(first.notes.first { $0.contains("several accounts") }, "\(first.notes)")
            #expect(note.contains("Acme (\(world.acme.id))") && note.contains("Beta"), "\(note)")
            let id = try #require(first.recordID)
            #expect(try world.rita.record(id)?.fields["accountId"] == nil)
            #expect(try world.rita.record(id)?.fields["contactIds"]?.stringArray?.count == 2)

            let unknown = "0190a000-0000-7000-8000-0000000000ff"
            let refused = try desktop.shareMail(files: [file], options: MailShareOptions(opportunityID: unknown))[0]
            #expect(refused.outcome == .failed)
            #expect(refused.problem?.contains("--opportunity \(unknown)") == true, "\(refused)")
            let foreign = try desktop.shareMail(files: [file], options: MailShareOptions(opportunityID: gammaDeal.id))[0]
            #expect(foreign.outcome == .failed)
            #expect(foreign.problem?.contains(gammaDeal.id) == true && foreign.problem?.contains("Gamma") == true, "\(foreign)")

            // An opportunity of one of the two accounts settles both.
            let chosen = try desktop.shareMail(files: [file], options: MailShareOptions(opportunityID: world.bigDeal.id))[0]
            #expect(chosen.outcome == .alreadyShared)
            let linked = try #require(try world.rita.record(id))
            #expect(linked.fields["opportunityId"] == .string(world.bigDeal.id))
            #expect(linked.fields["accountId"] == .string(world.acme.id))
            let receipt = try await world.rita.sync()
            #expect(receipt.counts.rejected == 0, "\(receipt.line)")
        }
    }

    @Test func ownAddressInUpperCaseIsOutboundAndUnknownOwnAddressesAreNoted() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let world = try await MailShareTests.world(api)
            defer { world.files.remove() }
            let desktop = try world.rita.desktop
            let sent = MailMessages.message(
                from: "Rita <RITA@EXAMPLE.COM>", to: ["ada@acme.example"], subject: "Sent by me", id: "upper@example.com")
            let result = try desktop.shareMail(files: [try world.write(sent, "sent.eml")])[0]
            #expect(result.direction == "outbound", "\(result)")
            #expect(!result.notes.contains { $0.contains("not known yet") }, "\(result.notes)")

            try world.rita.replica.setUserAddresses([])
            let other = MailMessages.message(
                from: "rita@example.com", to: ["ada@acme.example"], subject: "Sent before the profile", id: "early@example.com")
            let early = try desktop.shareMail(files: [try world.write(other, "early.eml")])[0]
            #expect(early.outcome == .shared)
            #expect(early.direction == "inbound")
            #expect(early.notes.contains { $0.contains("own email addresses are not known yet") }, "\(early.notes)")
        }
    }

    @Test func oddAttachmentsAndALongMessageIDStillShareTheEmail() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let world = try await MailShareTests.world(api)
            defer { world.files.remove() }
            let long = String(repeating: "very-long-id.", count: 90) + "@mailer.example"
            let odd = MailMessages.Attachment(name: "odd.bin", type: "application/x{odd}", data: Data("odd".utf8))
            let quoted = MailMessages.Attachment(name: "Offer.PDF", type: "\"Application/PDF\"", data: MailMessages.offer.data)
            let file = try world.write(
                MailMessages.message(
                    from: "ada@acme.example", to: ["rita@example.com"], subject: "Odd", id: long, attachments: [odd, quoted]),
                "odd.eml")
            let result = try world.rita.desktop.shareMail(files: [file])[0]
            #expect(result.outcome == .shared, "\(result)")
            #expect(result.notes.contains { $0.contains("odd.bin") && $0.contains("left out") }, "\(result.notes)")
            #expect(result.notes.contains { $0.contains("longer than the package keeps") }, "\(result.notes)")
            let recordID = try #require(result.recordID)
            let record = try #require(try world.rita.record(recordID))
            #expect(AttachmentRef.list(record.fields["attachments"]).map(\.mediaType) == ["application/pdf"])
            #expect(record.fields["messageId"]?.stringValue?.hasPrefix("long-") == true)
            let receipt = try await world.rita.sync()
            #expect(receipt.counts.applied == 1 && receipt.counts.rejected == 0, "\(receipt.line)")

            // The same message again (its id too long in the same way) is the same email.
            let again = try world.rita.desktop.shareMail(files: [file])[0]
            #expect(again.outcome == .alreadyShared)
        }
    }

    @Test func unknownCharsetIsANoteAndTheMessageIsShared() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let world = try await MailShareTests.world(api)
            defer { world.files.remove() }
            let text = """
                From: ada@acme.example\r
                To: rita@example.com\r
                Subject: Martian\r
                Date: Tue, 24 Nov 2026 10:15:00 +0100\r
                Message-ID: <martian@acme.example>\r
                MIME-Version: 1.0\r
                Content-Type: text/plain; charset=x-martian-7\r
                \r
                Greetings from Mars.\r

                """
            let result = try world.rita.desktop.shareMail(files: [try world.write(Data(text.utf8), "martian.eml")])[0]
            #expect(result.outcome == .shared, "\(result)")
            #expect(result.notes.contains { $0.contains("x-martian-7") }, "\(result.notes)")
            let recordID = try #require(result.recordID)
            let record = try #require(try world.rita.record(recordID))
            #expect(record.fields["description"]?.stringValue?.contains("Greetings from Mars.") == true)
        }
    }

    @Test func messageOverTheSizeLimitIsReportedAndTheOthersShare() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let world = try await MailShareTests.world(api)
            defer { world.files.remove() }
            let limit = 16 * 1024
            let big = MailMessages.Attachment(name: "big.bin", type: "application/octet-stream", data: Data(count: 2 * limit))
            let huge = try world.write(
                MailMessages.message(from: "ada@acme.example", to: ["rita@example.com"], subject: "Huge", id: "huge@acme.example",
                    attachments: [big]), "huge.eml")
            let small = try world.write(
                MailMessages.message(from: "ada@acme.example", to: ["rita@example.com"], subject: "Small", id: "small@acme.example"),
                "small.eml")
            let results = try world.rita.desktop.shareMail(files: [huge, small], options: MailShareOptions(maxMessageBytes: limit))
            #expect(results.map(\.outcome) == [.failed, .shared])
            #expect(results[0].problem?.contains("huge.eml") == true, "\(results[0])")
            #expect(results[0].problem?.contains("up to \(limit) bytes") == true, "\(results[0])")
            #expect(try Data(contentsOf: URL(fileURLWithPath: huge)).count > 2 * limit)
            #expect(try world.rita.desktop.mailStatus().problems.map(\.source) == [huge])
        }
    }
}
