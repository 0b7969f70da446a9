import CRMModel
import Foundation
import PIMBridge
import PIMFormats
import Testing

/// The email planner on the default package: what it writes must be a record the package's validator takes,
/// whatever odd subject, id or attachment a message carries; contacts of several accounts link none; a chosen
/// opportunity must belong to the email's account.
@Suite struct MailPlannerTests {
    static let package = try! DefaultPackage.load()
    static let planner = EmailPlanner(package: package)!
    static let validator = RecordValidator(base: package, view: package)

    static let acme = "0190a000-0000-7000-8000-00000000000a"
    static let beta = "0190a000-0000-7000-8000-00000000000b"
    static let gamma = "0190a000-0000-7000-8000-00000000000c"
    static let directory = EmailDirectory(
        userAddresses: ["rita@example.com"],
        contacts: [
            .init(id: "0190a000-0000-7000-8000-000000000001", name: "Ada", addresses: ["ada@acme.example"], accountID: acme,
                savesCorrespondence: false),
            .init(id: "0190a000-0000-7000-8000-000000000002", name: "Bob", addresses: ["bob@beta.example"], accountID: beta,
                savesCorrespondence: false),
        ],
        openOpportunities: [
            .init(id: "0190a000-0000-7000-8000-0000000000a1", name: "Acme deal", accountID: acme),
            .init(id: "0190a000-0000-7000-8000-0000000000b1", name: "Beta deal", accountID: beta),
            .init(id: "0190a000-0000-7000-8000-0000000000c1", name: "Gamma deal", accountID: gamma),
        ],
        accountNames: [acme: "Acme", beta: "Beta", gamma: "Gamma"])

    static func read(_ headers: [String], body: String = "Hello\r\n") throws -> MailMessage {
        try MailReader().read(Data((headers.joined(separator: "\r\n") + "\r\n\r\n" + body).utf8))
    }

    static func plan(_ message: MailMessage, directory: EmailDirectory = directory, opportunity: String? = nil) throws
        -> SharedEmail
    {
        try planner.plan(message, directory: directory, opportunityID: opportunity)
    }

    /// The planned fields pass the validator as a new record.
    static func expectValid(_ plan: SharedEmail, sourceLocation: SourceLocation = #_sourceLocation) {
        if case .failure(let failure) = validator.check(typeName: "Activity", changes: plan.fields, merged: [:]) {
            Issue.record("refused: \(failure.issues)", sourceLocation: sourceLocation)
        }
    }

    static let basic = ["From: ada@acme.example", "To: rita@example.com", "Date: Tue, 24 Nov 2026 10:15:00 +0100"]

    @Test(arguments: ["Subject:", "Subject: ", "Subject:    \t ", "Subject: =?UTF-8?Q?_?="])
    func emptyOrBlankSubjectIsSharedAsNoSubject(subject: String) throws {
        let plan = try Self.plan(try Self.read(Self.basic + [subject, "Message-ID: <s@acme.example>"]))
        #expect(plan.fields["subject"] == "(no subject)")
        #expect(plan.subject == "(no subject)")
        Self.expectValid(plan)
    }

    @Test func quotedUpperCaseMediaTypeIsNormalisedAndAnUnreadableOneIsLeftOutNotTheEmail() throws {
        let boundary = "b-1"
        let body = [
            "--\(boundary)", "Content-Type: text/plain", "", "See attached.",
            "--\(boundary)", "Content-Type: \"Application/PDF\"; name=\"offer.pdf\"", "Content-Transfer-Encoding: base64",
            "Content-Disposition: attachment; filename=\"offer.pdf\"", "", Data("%PDF-1.4".utf8).base64EncodedString(),
            "--\(boundary)", "Content-Type: application/x{odd}; name=\"odd.bin\"", "Content-Transfer-Encoding: base64",
            "Content-Disposition: attachment; filename=\"odd.bin\"", "", Data("odd".utf8).base64EncodedString(),
            "--\(boundary)--", "",
        ].joined(separator: "\r\n")
        let message = try Self.read(
            Self.basic + ["Subject: Odd", "Message-ID: <odd@acme.example>", "MIME-Version: 1.0",
                "Content-Type: multipart/mixed; boundary=\"\(boundary)\""], body: body)
        #expect(message.attachments.map(\.mediaType) == ["application/pdf", "application/x{odd}"])
        let plan = try Self.plan(message)
        #expect(AttachmentRef.list(plan.fields["attachments"]).map(\.mediaType) == ["application/pdf"])
        #expect(plan.skippedAttachments.map(\.name) == ["odd.bin"])
        #expect(plan.skippedAttachments.first?.reason.contains("is not a media type") == true, "\(plan.skippedAttachments)")
        #expect(plan.fields["description"]?.stringValue?.contains("- odd.bin (3 bytes)") == true)
        Self.expectValid(plan)
    }

    @Test func messageIDLongerThanItsFieldIsHashedStablyAndKeptInTheText() throws {
        let long = "x" + String(repeating: "0123456789", count: 120) + "@mailer.example"
        let plan = try Self.plan(try Self.read(Self.basic + ["Subject: Long", "Message-ID: <\(long)>"]))
        let id = plan.messageID
        #expect(id.hasPrefix("long-") && id.count < 100, "\(id)")
        #expect(plan.fields["messageId"] == .string(id))
        #expect(plan.originalMessageID == long)
        #expect(plan.fields["description"]?.stringValue?.hasSuffix("Message-ID: <\(long)>") == true)
        Self.expectValid(plan)

        // Another copy (the id in other case) meets it; a reply to it points to the same id.
        let copy = try Self.plan(try Self.read(Self.basic + ["Subject: Long", "Message-ID: <\(long.uppercased())>"]))
        #expect(copy.messageID == id)
        let reply = try Self.plan(
            try Self.read(Self.basic + ["Subject: Re: Long", "Message-ID: <r@acme.example>", "In-Reply-To: <\(long)>"]))
        #expect(reply.fields["inReplyTo"] == .string(id))
        Self.expectValid(reply)
    }

    @Test func contactsOfTwoAccountsLinkNoAccountUntilAnOpportunityOfOneIsChosen() throws {
        let message = try Self.read(
            ["From: ada@acme.example", "To: rita@example.com", "Cc: bob@beta.example", "Subject: Both",
                "Message-ID: <both@acme.example>"])
        let plan = try Self.plan(message)
        #expect(plan.contacts.count == 2)
        #expect(plan.accountID == nil)
        #expect(plan.fields["accountId"] == nil)
        #expect(plan.ambiguousAccounts == [Self.acme, Self.beta])
        #expect(plan.opportunity == .none)

        let chosen = try Self.plan(message, opportunity: "0190a000-0000-7000-8000-0000000000b1")
        #expect(chosen.fields["opportunityId"] == "0190a000-0000-7000-8000-0000000000b1")
        #expect(chosen.fields["accountId"] == .string(Self.beta))
        #expect(chosen.ambiguousAccounts.isEmpty)
    }

    @Test func chosenOpportunityThatIsUnknownOrOfAnotherAccountIsRefusedNamingIt() throws {
        let message = try Self.read(Self.basic + ["Subject: Deal", "Message-ID: <deal@acme.example>"])
        let unknown = "0190a000-0000-7000-8000-0000000000ff"
        let error = try #require(throws: EmailPlanError.self) { try Self.plan(message, opportunity: unknown) }
        #expect(error.message.contains(unknown) && error.field == "--opportunity", "\(error)")
        let other = "0190a000-0000-7000-8000-0000000000c1"
        let foreign = try #require(throws: EmailPlanError.self) { try Self.plan(message, opportunity: other) }
        #expect(foreign.message.contains(other) && foreign.message.contains("Gamma deal"), "\(foreign)")
        #expect(foreign.message.contains("Acme"), "\(foreign)")
    }

    @Test func ownAddressMatchesInAnyCaseAndUnknownOwnAddressesAreSaid() throws {
        let sent = try Self.read(
            ["From: Rita <RITA@Example.COM>", "To: ada@acme.example", "Subject: Sent", "Message-ID: <sent@example.com>"])
        let plan = try Self.plan(sent)
        #expect(plan.direction == .outbound)
        #expect(plan.fields["direction"] == "outbound")
        #expect(plan.ownAddressesKnown)

        let nobody = EmailDirectory(userAddresses: [], contacts: Self.directory.contacts, openOpportunities: [])
        let unknown = try Self.plan(sent, directory: nobody)
        #expect(unknown.direction == .inbound)
        #expect(!unknown.ownAddressesKnown)
    }
}
