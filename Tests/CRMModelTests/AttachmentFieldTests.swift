import Foundation
import Testing

@testable import CRMModel

/// An attachments field holds `{sha256, name, mediaType, size}` entries within its size and type limits, and the
/// package's email mapping is checked like every other part of a package.
@Suite struct AttachmentFieldTests {
    static let digest = String(repeating: "ab", count: 32)

    static func entry(sha: String = digest, name: FieldValue = "offer.pdf", type: FieldValue = "application/pdf",
        size: FieldValue = 1200) -> FieldValue
    {
        .object(["sha256": .string(sha), "name": name, "mediaType": type, "size": size])
    }

    func check(_ field: FieldDefinition, _ value: FieldValue) -> Result<FieldValue, FieldValueCheck.Issue> {
        FieldValueCheck(field: field, lists: [:]).normalize(value)
    }

    @Test func wellFormedEntriesAreKeptOnceEachAndMediaTypesLowercased() throws {
        let field = FieldDefinition(kind: .attachments)
        let value = FieldValue.array([Self.entry(type: "Application/PDF"), Self.entry()])
        let refs = AttachmentRef.list(try check(field, value).get())
        #expect(refs == [AttachmentRef(sha256: Self.digest, name: "offer.pdf", mediaType: "application/pdf", size: 1200)])
    }

    @Test func fileOverTheLimitIsRefusedNamingTheLimit() {
        let field = FieldDefinition(kind: .attachments, maxFileSize: 1000)
        guard case .failure(let issue) = check(field, .array([Self.entry(size: 1001)])) else {
            Issue.record("accepted a file over the limit")
            return
        }
        #expect(issue.code == .outOfRange)
        #expect(issue.message.contains("1000 bytes"))
    }

    @Test func defaultLimitIsFiveMegabytes() {
        let field = FieldDefinition(kind: .attachments)
        #expect(field.fileSizeLimit == 5 * 1024 * 1024)
        if case .success = check(field, .array([Self.entry(size: FieldValue.number(Decimal(5 * 1024 * 1024 + 1)))])) {
            Issue.record("accepted a file over 5 MB")
        }
    }

    @Test func fileTypeOutsideTheListIsRefusedAndWildcardsMatchSubtypes() {
        let field = FieldDefinition(kind: .attachments, fileTypes: ["application/pdf", "image/*"])
        #expect(field.allowsFileType("image/png"))
        #expect(field.allowsFileType("APPLICATION/PDF"))
        #expect(!field.allowsFileType("application/x-msdownload"))
        guard case .failure(let issue) = check(field, .array([Self.entry(type: "application/x-msdownload")])) else {
            Issue.record("accepted a type outside the list")
            return
        }
        #expect(issue.code == .notInList)
        #expect(issue.message.contains("application/pdf, image/*"))
    }

    @Test(arguments: [
        entry(sha: "xyz"), entry(name: "../../etc/passwd"), entry(name: ""), entry(type: "pdf"), entry(size: -1),
        entry(size: "12"), FieldValue.string("offer.pdf"),
    ])
    func malformedEntryIsRefused(_ entry: FieldValue) {
        if case .success(let value) = check(FieldDefinition(kind: .attachments), .array([entry])) {
            Issue.record("accepted \(value)")
        }
    }

    @Test func defaultPackageMapsEmailsOntoActivities() throws {
        let package = try DefaultPackage.load()
        let email = try #require(package.email)
        #expect(email.type == "Activity")
        #expect(email.field(.messageId) == "messageId")
        #expect(email.field(.attachments) == "attachments")
        #expect(package.types["Activity"]?.fields["attachments"]?.kind == .attachments)
        #expect(package.types["Activity"]?.globalKeys?.contains("messageId") == true)
    }

    @Test func roleThatHidesTheOpportunityTypeKeepsEmailsWithoutOpportunities() throws {
        let package = try DefaultPackage.load()
        let agent = try #require(package.resolved(for: "service-agent"))
        let email = try #require(agent.email)
        if agent.types["Opportunity"] == nil {
            #expect(email.match.opportunityType == nil)
            #expect(email.field(.opportunity) == nil)
        }
    }

    @Test func emailPartOnAFieldOfTheWrongKindIsRefusedAtItsLine() throws {
        let yaml = try DefaultPackage.yaml()
        let edited = yaml.replacingOccurrences(of: "    attachments: attachments\n", with: "    attachments: subject\n")
        #expect(edited != yaml)
        let error = try #require(Self.refusal(edited))
        #expect(error.message.contains("'subject' is a text field; attachments needs attachments"), "\(error)")
        #expect(error.line == edited.components(separatedBy: "\n").firstIndex(of: "    attachments: subject").map { $0 + 1 })
    }

    @Test func unknownEmailPartIsRefusedNamingTheParts() throws {
        let yaml = try DefaultPackage.yaml()
        let edited = yaml.replacingOccurrences(of: "    inReplyTo: inReplyTo\n", with: "    replyTo: inReplyTo\n")
        let error = try #require(Self.refusal(edited))
        #expect(error.message.contains("unknown part 'replyTo'"), "\(error)")
    }

    @Test func sizeLimitOnATextFieldIsRefused() throws {
        let yaml = try DefaultPackage.yaml()
        let edited = yaml.replacingOccurrences(
            of: "ccAddresses:      {kind: text, label: Cc, maxLength: 20000}",
            with: "ccAddresses:      {kind: text, label: Cc, maxLength: 20000, maxFileSize: 10}")
        let error = try #require(Self.refusal(edited))
        #expect(error.message.contains("apply to attachments fields only"), "\(error)")
    }

    static func refusal(_ yaml: String) -> PackageLoadError? {
        do {
            _ = try PackageLoader.load(yaml: yaml, file: "default.yaml")
            return nil
        } catch {
            return error
        }
    }
}
