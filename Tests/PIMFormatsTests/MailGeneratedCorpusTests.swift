import Foundation
import PIMFormats
import Testing

/// The messages of `Fixtures/mail/generated`, written by Python's `email` package (`make_corpus.py`), checked
/// against the script's own record of what it put in each (`expected.json`).
@Suite struct MailGeneratedCorpusTests {
    /// One entry of expected.json; addresses are `[name or null, address]` pairs.
    struct Expectation: Decodable {
        var subject: String?
        var from_: [[String?]]
        var to: [[String?]]
        var cc: [[String?]]?
        var bcc: [[String?]]?
        var reply_to: [[String?]]?
        var sender: [String?]?
        var date: String?
        var message_id: String?
        var in_reply_to: [String]?
        var references: [String]?
        var text: [String]
        var text_excludes: [String]?
        /// `[filename, media type, size or null, content id or null, inline]`.
        var attachments: [[Field]]
    }

    enum Field: Decodable, Equatable {
        case text(String), number(Int), flag(Bool), none

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if container.decodeNil() { self = .none }
            else if let flag = try? container.decode(Bool.self) { self = .flag(flag) }
            else if let number = try? container.decode(Int.self) { self = .number(number) }
            else { self = .text(try container.decode(String.self)) }
        }

        var text: String? { if case .text(let value) = self { value } else { nil } }
    }

    static let folder = Bundle.module.resourceURL!.appendingPathComponent("Fixtures/mail/generated")

    static let expectations: [String: Expectation] = {
        let data = try! Data(contentsOf: folder.appendingPathComponent("expected.json"))
        return try! JSONDecoder().decode([String: Expectation].self, from: data)
    }()

    static let names = expectations.keys.sorted()

    static func addresses(_ pairs: [[String?]]?) -> [MailAddress] {
        (pairs ?? []).map { MailAddress(name: $0[0], address: $0[1]!) }
    }

    @Test func everyGeneratedMessageHasAnExpectation() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.folder.path)
            .filter { $0.hasSuffix(".eml") }.map { String($0.dropLast(4)) }.sorted()
        #expect(files == Self.names)
        #expect(files.count == 18)
    }

    @Test(arguments: names)
    func generatedMessageIsReadAsWritten(name: String) throws {
        let expected = try #require(Self.expectations[name])
        let message = try MailFixture.message(name, folder: "mail/generated")
        #expect(message.subject == expected.subject)
        #expect(message.from == Self.addresses(expected.from_))
        #expect(message.to == Self.addresses(expected.to))
        #expect(message.cc == Self.addresses(expected.cc))
        #expect(message.bcc == Self.addresses(expected.bcc))
        #expect(message.replyTo == Self.addresses(expected.reply_to))
        #expect(message.sender == expected.sender.map { MailAddress(name: $0[0], address: $0[1]!) })
        #expect(message.date == expected.date.map(MailFixture.instant))
        #expect(message.messageID == expected.message_id)
        #expect(message.inReplyTo == (expected.in_reply_to ?? []))
        #expect(message.references == (expected.references ?? []))
        for excerpt in expected.text {
            #expect(message.text.contains(excerpt), "\(name): \(excerpt)")
        }
        for excerpt in expected.text_excludes ?? [] {
            #expect(!message.text.contains(excerpt), "\(name): \(excerpt)")
        }
        #expect(message.attachments.count == expected.attachments.count)
        for (attachment, fields) in zip(message.attachments, expected.attachments) {
            #expect(attachment.filename == fields[0].text)
            #expect(attachment.mediaType == fields[1].text)
            #expect(fields[2] == .none || fields[2] == .number(attachment.size))
            #expect(attachment.contentID == fields[3].text)
            #expect(fields[4] == .flag(attachment.isInline))
        }
        let expectWarning = name == "date-unreadable"
        #expect(message.warnings.isEmpty == !expectWarning, "\(name): \(message.warnings)")
    }

    @Test func unreadableDateIsNilWithAWarningNamingIt() throws {
        let message = try MailFixture.message("date-unreadable", folder: "mail/generated")
        #expect(message.date == nil)
        #expect(message.warnings == ["unreadable date 'next Tuesday at noon'; the date was left empty"])
    }

    @Test func htmlOnlyMessageReadsAsParagraphsListAndLinks() throws {
        let message = try MailFixture.message("html-only", folder: "mail/generated")
        #expect(message.text == """
            Spring offers

            Dear customer,
            our new prices & terms:

            - Basic – 10€
            - Pro – 20€

            See our offers (https://corpus.example/offers) or write to sales@corpus.example.
            """)
    }

    @Test func forwardedMessageAttachmentIsTheWholeEnclosedMessage() throws {
        let message = try MailFixture.message("forwarded-rfc822", folder: "mail/generated")
        let enclosed = try MailReader().read(try #require(message.attachments.first).data)
        #expect(enclosed.subject == "Invoice 42")
        #expect(enclosed.messageID == "inner@corpus.example")
        #expect(enclosed.text == "Original question about the invoice.")
    }

    @Test func utf16BodyAndRelatedImageBytesSurvive() throws {
        let utf16 = try MailFixture.message("utf16-body", folder: "mail/generated")
        #expect(utf16.text == "Hello in UTF-16: naïve café, 東京.")
        let nested = try MailFixture.message("nested-multipart", folder: "mail/generated")
        #expect(nested.attachments[0].data.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]))
        #expect(String(decoding: nested.attachments[1].data, as: UTF8.self).hasPrefix("%PDF-1.4"))
    }
}
