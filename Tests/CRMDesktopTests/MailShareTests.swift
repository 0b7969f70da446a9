import CRMDesktop
import CRMModel
import CRMTesting
import Foundation
import Testing

/// Sharing email through the whole desktop and a real server: messages become email activities linked to
/// contacts, their account and its open opportunity; attachments go to the attachment store; the same message
/// shared twice, or by two users, is one activity; bad messages are reported and the others go on.
@Suite("Email sharing")
struct MailShareTests {
    struct World {
        let rita: DesktopFixture
        let acme: Record
        let ada: Record
        let bigDeal: Record
        let bob: Record
        let carl: Record
        let files: TemporaryDirectory

        func write(_ data: Data, _ name: String) throws -> String {
            let path = files.path(name)
            try data.write(to: URL(fileURLWithPath: path))
            return path
        }
    }

    static func world(_ api: TestAPI) async throws -> World {
        let token = try await api.login("rita")
        let acme = try await api.create("Account", ["name": "Acme"], token: token)
        let beta = try await api.create("Account", ["name": "Beta"], token: token)
        let ada = try await api.create(
            "Contact", ["firstName": "Ada", "lastName": "Lovelace", "email": "Ada@Acme.example", "accountId": .string(acme.id)],
            token: token)
        let bigDeal = try await api.create(
            "Opportunity", ["name": "Big deal", "stage": "Proposal", "accountId": .string(acme.id)], token: token)
        _ = try await api.create(
            "Opportunity", ["name": "Old deal", "stage": "Closed Lost", "accountId": .string(acme.id)], token: token)
        let bob = try await api.create(
            "Contact", ["firstName": "Bob", "lastName": "Beta", "email": "bob@beta.example", "accountId": .string(beta.id)],
            token: token)
        for name in ["Beta one", "Beta two"] {
            _ = try await api.create("Opportunity", ["name": .string(name), "stage": "Qualification", "accountId": .string(beta.id)], token: token)
        }
        let carl = try await api.create(
            "Contact", ["lastName": "Carlsen", "email": "carl@gamma.example", "saveCorrespondence": true], token: token)
        let rita = try await DesktopFixture.make(api, user: "rita")
        try await rita.sync()
        return World(rita: rita, acme: acme, ada: ada, bigDeal: bigDeal, bob: bob, carl: carl, files: try TemporaryDirectory(prefix: "crm-mail"))
    }

    @Test func receivedEmailBecomesAnInboundActivityLinkedToContactAccountOpportunityWithItsAttachment() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let world = try await Self.world(api)
            defer { world.files.remove() }
            let file = try world.write(
                MailMessages.message(
                    from: "\"Lovelace, Ada\" <ada@acme.example>", to: ["Rita <RITA@example.com>"],
                    subject: "=?ISO-8859-1?Q?Angebot_f=FCr_M=FCller?=", id: "offer-1@acme.example",
                    attachments: [MailMessages.offer]), "offer.eml")
            let desktop = try world.rita.desktop
            let results = try desktop.shareMail(files: [file])
            let result = try #require(results.first)
            #expect(result.outcome == .shared, "\(result)")
            #expect(result.direction == "inbound")
            #expect(result.notes.isEmpty, "\(result.notes)")
            let recordID = try #require(result.recordID)
            let record = try #require(try world.rita.record(recordID))
            #expect(record.fields["subject"] == "Angebot für Müller")
            #expect(record.fields["display"] == "email")
            #expect(record.fields["messageId"] == "offer-1@acme.example")
            #expect(record.fields["contactIds"] == .array([.string(world.ada.id)]))
            #expect(record.fields["accountId"] == .string(world.acme.id))
            #expect(record.fields["opportunityId"] == .string(world.bigDeal.id))
            #expect(record.fields["start"] == "2026-11-24T09:15:00.000Z")
            #expect(record.fields["description"]?.stringValue?.contains("please find the offer attached") == true)
            let refs = AttachmentRef.list(record.fields["attachments"])
            #expect(refs.map(\.name) == ["Angebot 2026.pdf"])
            #expect(refs.first?.size == MailMessages.offer.data.count)

            // Nothing reached the server yet: sharing is offline, like every edit.
            #expect(try await api.send(.get, "/api/v1/records/Activity/\(record.id)", token: try await api.login("rita")).status == .notFound)
            let receipt = try await world.rita.sync()
            #expect(receipt.files?.uploaded == 1, "\(receipt.line)")
            let stored = try await api.send(.get, "/api/v1/records/Activity/\(record.id)", token: try await api.login("rita"))
            #expect(stored.status == .ok)

            // Another desktop of the user brings the file down, byte for byte.
            let tablet = try await DesktopFixture.make(api, user: "rita", name: "tablet")
            let tabletReceipt = try await tablet.sync()
            #expect(tabletReceipt.files?.downloaded == 1, "\(tabletReceipt.line)")
            let offerRef = try #require(refs.first)
            let copy = AttachmentCache(home: tablet.home).read(offerRef.sha256)
            #expect(copy == MailMessages.offer.data)

            let status = try desktop.mailStatus()
            #expect(status.sharedCount == 1)
            #expect(status.recent.first?.subject == "Angebot für Müller")
        }
    }

    @Test func sentEmailIsOutboundAndUnknownAddressesBecomeContactsWhenAsked() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let world = try await Self.world(api)
            defer { world.files.remove() }
            let message = MailMessages.message(
                from: "Rita <rita@example.com>", to: ["ada@acme.example", "\"Newman, Nina\" <nina@new.example>"],
                subject: "Our call", id: "call-1@example.com")
            let desktop = try world.rita.desktop
            let first = try desktop.shareMail(files: [try world.write(message, "call.eml")])[0]
            #expect(first.direction == "outbound")
            #expect(first.notes.contains { $0.contains("no contact has nina@new.example") }, "\(first.notes)")

            let other = MailMessages.message(
                from: "rita@example.com", to: ["\"Newman, Nina\" <nina@new.example>", "otto@new.example"],
                subject: "Welcome", id: "welcome-1@example.com")
            let second = try desktop.shareMail(
                files: [try world.write(other, "welcome.eml")], options: MailShareOptions(createContacts: true))[0]
            #expect(second.outcome == .shared)
            let contacts = try world.rita.records("Contact")
            let nina = try #require(contacts.first { $0.fields["email"] == "nina@new.example" })
            #expect(nina.fields["lastName"] == "Newman")
            #expect(nina.fields["firstName"] == "Nina")
            let otto = try #require(contacts.first { $0.fields["email"] == "otto@new.example" })
            #expect(otto.fields["lastName"] == "otto")
            let activityID = try #require(second.recordID)
            let activity = try #require(try world.rita.record(activityID))
            #expect(Set(activity.fields["contactIds"]?.stringArray ?? []) == [nina.id, otto.id])
            let receipt = try await world.rita.sync()
            #expect(receipt.counts.rejected == 0, "\(receipt.line)")
            #expect(receipt.counts.applied == 4, "\(receipt.line)")
        }
    }

    @Test func severalOpenOpportunitiesAreListedAndSharingAgainWithOneLinksIt() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let world = try await Self.world(api)
            defer { world.files.remove() }
            let file = try world.write(
                MailMessages.message(from: "bob@beta.example", to: ["rita@example.com"], subject: "Which one?", id: "q-1@beta.example"),
                "question.eml")
            let desktop = try world.rita.desktop
            let first = try desktop.shareMail(files: [file])[0]
            let note = try #require(first.notes.first { $0.contains("several open opportunities") })
            #expect(note.contains("Beta one") && note.contains("Beta two"))
            let id = try #require(first.recordID)
            #expect(try world.rita.record(id)?.fields["opportunityId"] == nil)
            let chosen = try #require(try world.rita.records("Opportunity").first { $0.fields["name"] == "Beta two" })

            let again = try desktop.shareMail(files: [file], options: MailShareOptions(opportunityID: chosen.id))[0]
            #expect(again.outcome == .alreadyShared)
            #expect(again.recordID == id)
            #expect(try world.rita.record(id)?.fields["opportunityId"] == .string(chosen.id))
            #expect(try world.rita.records("Activity").filter { $0.fields["messageId"] == "q-1@beta.example" }.count == 1)
        }
    }

    @Test func sameMessageSharedByTwoUsersIsOneActivityOnBoth() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let world = try await Self.world(api)
            defer { world.files.remove() }
            let message = MailMessages.message(
                from: "ada@acme.example", to: ["rita@example.com", "peter@example.com"], subject: "To you both",
                id: "both-1@acme.example")
            let ritaShare = try world.rita.desktop.shareMail(files: [try world.write(message, "both.eml")])[0]
            try await world.rita.sync()
            let peter = try await DesktopFixture.make(api, user: "peter")
            try await peter.sync()
            let peterShare = try peter.desktop.shareMail(files: [try world.write(message, "both-peter.eml")])[0]
            #expect(peterShare.outcome == .shared)
            let receipt = try await peter.sync()
            #expect(receipt.counts.merged == 1, "\(receipt.line)")
            let held = try peter.records("Activity").filter { $0.fields["messageId"] == "both-1@acme.example" }
            #expect(held.map(\.id) == [ritaShare.recordID])
            #expect(try peter.desktop.mailStatus().recent.first?.recordID == ritaShare.recordID)
            let all = try await api.send(.get, "/api/v1/records/Activity?messageId=both-1%40acme.example", token: try await api.login("ada"))
            #expect((all.json["records"] as? [[String: Any]])?.count == 1, "\(all.text)")
        }
    }

    @Test func badMessagesAreReportedLeftInPlaceAndTheOthersGoOn() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let world = try await Self.world(api)
            defer { world.files.remove() }
            let junk = Data([0x00, 0xFF, 0x13, 0x37] + Array(repeating: 0x00, count: 64))
            let broken = try world.write(junk, "broken.eml")
            let good = try world.write(
                MailMessages.message(from: "ada@acme.example", to: ["rita@example.com"], subject: "Fine", id: nil), "fine.eml")
            let missing = world.files.path("missing.eml")
            let results = try world.rita.desktop.shareMail(files: [broken, good, missing])
            #expect(results.map(\.outcome) == [.failed, .shared, .failed])
            #expect(results[0].problem?.contains("broken.eml") == true, "\(results[0])")
            #expect(results[1].notes.contains { $0.contains("no Message-ID") })
            #expect(try Data(contentsOf: URL(fileURLWithPath: broken)) == junk)
            #expect(results[2].problem?.contains("missing.eml") == true, "\(results[2])")
            // Status lists the problems of files still there to fix: the missing one is forgotten.
            let problems = try world.rita.desktop.mailStatus().problems
            #expect(problems.map(\.source) == [broken])

            // The same message without a Message-ID, as another mailbox keeps it (other transport headers),
            // is known by the same derived id: not shared twice.
            let copy = MailMessages.message(
                from: "ada@acme.example", to: ["rita@example.com"], subject: "Fine", id: nil,
                extraHeaders: ["Received: from mx2.example.com by imap.example.com; Tue, 24 Nov 2026 10:16:00 +0100"])
            let again = try world.rita.desktop.shareMail(files: [try world.write(copy, "fine-copy.eml")])[0]
            #expect(again.outcome == .alreadyShared)
            #expect(again.recordID == results[1].recordID)
        }
    }

    @Test func attachmentOverTheLimitIsLeftOutAndLongTextIsCutWithANote() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let world = try await Self.world(api)
            defer { world.files.remove() }
            let big = MailMessages.Attachment(name: "video.bin", type: "application/octet-stream", data: Data(count: 5 * 1024 * 1024 + 1))
            let body = String(repeating: "All work and no play makes Jack a dull boy. ", count: 3000)
            let file = try world.write(
                MailMessages.message(
                    from: "ada@acme.example", to: ["rita@example.com"], subject: "Big", id: "big-1@acme.example",
                    body: body, attachments: [big, MailMessages.offer]), "big.eml")
            let result = try world.rita.desktop.shareMail(files: [file])[0]
            #expect(result.outcome == .shared)
            #expect(result.notes.contains { $0.contains("video.bin") && $0.contains("5 MB") }, "\(result.notes)")
            #expect(result.notes.contains { $0.contains("cut at the package's limit of 100000 characters") }, "\(result.notes)")
            let recordID = try #require(result.recordID)
            let record = try #require(try world.rita.record(recordID))
            #expect(AttachmentRef.list(record.fields["attachments"]).map(\.name) == ["Angebot 2026.pdf"])
            let text = try #require(record.fields["description"]?.stringValue)
            #expect(text.count <= 100_000)
            #expect(text.hasSuffix("characters.]"))
            #expect(text.contains("Attachments not stored in the CRM:\n- video.bin (5242881 bytes)"), "\(text.suffix(300))")
            let receipt = try await world.rita.sync()
            #expect(receipt.counts.applied == 1, "\(receipt.line)")
        }
    }

    @Test func trackingSharesTheShareFolderAndCorrespondenceOfFlaggedContactsOnce() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let world = try await Self.world(api)
            defer { world.files.remove() }
            let share = world.files.path("Maildir/.CRM")
            let inbox = world.files.path("Maildir/INBOX")
            _ = try MailMessages.deliver(
                MailMessages.message(from: "bob@beta.example", to: ["rita@example.com"], subject: "Shared by moving", id: "m-1@beta.example"),
                to: share, name: "1764000000.M1P1.host")
            let moved = try MailMessages.deliver(
                MailMessages.message(from: "stranger@else.example", to: ["rita@example.com"], subject: "Also shared", id: "m-2@else.example"),
                to: share, name: "1764000001.M2P1.host")
            _ = try MailMessages.deliver(
                MailMessages.message(from: "Carl <carl@gamma.example>", to: ["rita@example.com"], subject: "From Carl", id: "c-1@gamma.example"),
                to: inbox, name: "1764000002.M3P1.host", sub: "cur")
            _ = try MailMessages.deliver(
                MailMessages.message(from: "news@else.example", to: ["rita@example.com"], subject: "Newsletter", id: "n-1@else.example"),
                to: inbox, name: "1764000003.M4P1.host")
            // A message still being delivered sits in tmp/: it is not read.
            try MailMessages.message(from: "carl@gamma.example", to: ["rita@example.com"], subject: "Half", id: "h-1@gamma.example")
                .prefix(40).write(to: URL(fileURLWithPath: inbox + "/tmp/1764000004.M5P1.host"))

            _ = try Desktop.trackMail(home: world.rita.home, shareFolder: share, folders: [inbox])
            let desktop = try Desktop.open(home: world.rita.home)
            let first = try desktop.scanMail()
            #expect(Set(first.results.compactMap(\.subject)) == ["Shared by moving", "Also shared", "From Carl"], "\(first.results)")
            #expect(first.results.allSatisfy { $0.outcome == .shared })

            // The mail program marks a message read (new/ to cur/, flags in the name): not shared again.
            try FileManager.default.moveItem(atPath: moved, toPath: share + "/cur/1764000001.M2P1.host:2,S")
            #expect(try desktop.scanMail().results.isEmpty)

            // A new message arrives and the sync shares it with the rest.
            _ = try MailMessages.deliver(
                MailMessages.message(from: "rita@example.com", to: ["carl@gamma.example"], subject: "Reply to Carl", id: "c-2@example.com"),
                to: inbox, name: "1764000005.M6P1.host")
            let receipt = try await desktop.engine().run()
            #expect(receipt.mailShared == 1, "\(receipt.line)")
            #expect(receipt.counts.applied == 4, "\(receipt.line)")
            let token = try await api.login("rita")
            let emails = try await api.send(.get, "/api/v1/records/Activity?display=email", token: token)
            #expect((emails.json["records"] as? [[String: Any]])?.count == 4, "\(emails.text)")
        }
    }

    @Test func trackingRefusesAFolderThatIsNotAMaildir() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let world = try await Self.world(api)
            defer { world.files.remove() }
            #expect(throws: DesktopError.self) {
                try Desktop.trackMail(home: world.rita.home, shareFolder: world.files.path("nothing"), folders: [])
            }
        }
    }
}
