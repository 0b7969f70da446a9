import Foundation
import PIMFormats
import Testing

/// The messages of `Fixtures/mail` (see `Fixtures/SOURCES.md`): real mail written by Outlook, Apple Mail,
/// Thunderbird, Gmail, Yahoo, Evolution, iPhone and Zimbra.
enum MailFixture {
    static let names = [
        "apple-mail-attachment-quoted-filename", "apple-mail-forwarded-message-rfc822",
        "apple-mail-rfc2231-japanese-filename", "evolution-8bit-multipart-alternative",
        "gmail-multipart-alternative-qp", "iphone-mail-jpeg-attachment", "iso-2022-jp-plain",
        "ks-c-5601-1987-korean", "outlook-2003-multipart-alternative", "smime-signed-nested-attachment",
        "thunderbird-forward-message-rfc822-attached", "thunderbird-html-only", "thunderbird-reply-format-flowed",
        "yahoo-mail-alternative-iso8859-qp", "zimbra-bounce-multipart-report",
    ]

    static func data(_ name: String, folder: String = "mail") throws -> Data {
        try Data(contentsOf: Bundle.module.resourceURL!.appendingPathComponent("Fixtures/\(folder)/\(name).eml"))
    }

    static func message(_ name: String, folder: String = "mail") throws -> MailMessage {
        try MailReader().read(data(name, folder: folder))
    }

    static func instant(_ iso: String) -> Date {
        ISO8601DateFormatter().date(from: iso)!
    }
}

@Suite struct MailFixtureTests {
    @Test(arguments: MailFixture.names)
    func everyFixtureIsReadWithoutWarningsAndHasSenderAndText(name: String) throws {
        let message = try MailFixture.message(name)
        #expect(!message.from.isEmpty)
        #expect(message.warnings.isEmpty)
        #expect(!message.text.isEmpty || !message.attachments.isEmpty)
        #expect(!message.text.contains("\r"))
    }

    @Test func outlook2003AlternativePrefersPlainTextAndToleratesTransferEncodingWithSemicolon() throws {
        let message = try MailFixture.message("outlook-2003-multipart-alternative")
        #expect(message.subject == "Attention")
        #expect(message.from == [MailAddress(name: "Shelby", address: "nsukijamq@morozstudio.tk")])
        #expect(message.to == [MailAddress(address: "cvs@bruce-guenter.dyndns.org")])
        #expect(message.date == MailFixture.instant("2005-06-30T04:57:10Z"))
        #expect(message.messageID == nil)
        #expect(message.text.hasPrefix("Dear Homeowner,\n\n"))
        #expect(message.text.contains("pre-approved for a $402,000 Home Loan"))
        #expect(message.text.contains("Enter Here <http://www.lending-blocksx.com/index.php?refid=spr>"))
        #expect(!message.text.lowercased().contains("<html"))
        #expect(message.attachments.isEmpty)
        #expect(message.headerValues("x-mailer") == ["Microsoft Office Outlook, Build 11.0.5510"])
    }

    @Test func appleMailAttachmentNameComesFromRFC2231BeforeTheEncodedWordName() throws {
        let message = try MailFixture.message("apple-mail-attachment-quoted-filename")
        #expect(message.subject == "Eelanalüüsi päring")
        #expect(message.messageID == "E0F9311D-F469-4E7B-81BC-F240BD473566@37signals.com")
        #expect(message.date == MailFixture.instant("2009-05-13T15:42:01Z"))
        #expect(message.text.isEmpty)
        let jpeg = try #require(message.attachments.first)
        #expect(message.attachments.count == 1)
        #expect(jpeg.filename == "Eelanalüüsi päring.jpg")
        #expect(jpeg.mediaType == "image/jpeg")
        #expect(jpeg.isInline)
        #expect(jpeg.data.starts(with: [0xFF, 0xD8, 0xFF]))
        #expect(jpeg.size == 1952)
    }

    @Test func isoTwentyTwentyTwoJapaneseBodyAndEncodedDisplayName() throws {
        let message = try MailFixture.message("iso-2022-jp-plain")
        #expect(message.subject == "まみむめも")
        #expect(message.to == [MailAddress(name: "みける", address: "raasdnil@gmail.com")])
        #expect(message.from == [MailAddress(name: "Mikel Lindsaar", address: "raasdnil@gmail.com")])
        #expect(message.text == "すみません。")
        #expect(message.date == nil)
    }

    @Test func outlookKoreanCharsetAliasIsReadAsCP949() throws {
        let message = try MailFixture.message("ks-c-5601-1987-korean")
        #expect(message.text == "스티해")
        #expect(message.messageID == "from@example.com")
        #expect(message.date == MailFixture.instant("2014-05-28T08:18:19Z"))
    }

    @Test func signedMessageGivesItsFirstPartAsBodyAndTheSignatureAsAttachment() throws {
        let message = try MailFixture.message("smime-signed-nested-attachment")
        #expect(message.subject == "Testing attachments")
        #expect(message.from == [MailAddress(name: "Jamis Buck", address: "jamis@37signals.com")])
        #expect(message.date == MailFixture.instant("2007-02-22T18:20:31Z"))
        #expect(message.text == "Here is a test of an attachment via email.\n\n- Jamis")
        #expect(message.attachments.map(\.filename) == ["truncated.png", "smime.p7s"])
        #expect(message.attachments.map(\.mediaType) == ["image/png", "application/pkcs7-signature"])
        #expect(message.attachments[0].data.starts(with: [0x89, 0x50, 0x4E, 0x47]))
        #expect(message.attachments.map(\.size) == [1902, 939])
        #expect(message.attachments.map(\.isInline) == [true, false])
    }

    @Test func appleMailForwardedMessageIsOneEmlAttachmentNamedFromItsSubject() throws {
        let message = try MailFixture.message("apple-mail-forwarded-message-rfc822")
        #expect(message.subject == "testing")
        #expect(message.text == "This is the first part.")
        let forwarded = try #require(message.attachments.first)
        #expect(message.attachments.count == 1)
        #expect(forwarded.filename == "Another PDF.eml")
        #expect(forwarded.mediaType == "message/rfc822")
        #expect(forwarded.size == 3781)
        let inner = try MailReader().read(forwarded.data)
        #expect(inner.subject == "Another PDF")
        #expect(inner.attachments.map(\.filename) == ["broken.pdf"])
        #expect(inner.text.hasPrefix("Just attaching another PDF, here, to see what the message looks like,"))
    }

    @Test func bounceReportGivesTheHumanReadablePartAndAttachesStatusAndOriginal() throws {
        let message = try MailFixture.message("zimbra-bounce-multipart-report")
        #expect(message.from == [MailAddress(name: "Mail Delivery System", address: "MAILER-DAEMON@lvmail01.LL.com")])
        #expect(message.subject == "Undelivered Mail Returned to Sender")
        #expect(message.messageID == "20100224061641.3E47A1BC025@lvmail01.LL.com")
        #expect(message.date == MailFixture.instant("2010-02-24T06:16:41Z"))
        #expect(message.text.hasPrefix("This is the mail system at host lvmail01.LL.com."))
        #expect(!message.text.contains("Reporting-MTA"))
        #expect(message.attachments.map(\.mediaType) == ["message/delivery-status", "message/rfc822"])
        #expect(message.attachments[1].filename == "Test of bounce email.eml")
        #expect(String(decoding: message.attachments[0].data, as: UTF8.self).hasPrefix("Reporting-MTA: dns;"))
    }

    @Test func thunderbirdFlowedReplyHasThreadIds() throws {
        let message = try MailFixture.message("thunderbird-reply-format-flowed")
        #expect(message.subject == "Re: Test reply email")
        #expect(message.messageID == "473FFE27.20003@xxx.org")
        #expect(message.inReplyTo == ["348F04F142D69C21-291E56D292BC@xxxx.net"])
        #expect(message.references == ["473FF3B8.9020707@xxx.org", "348F04F142D69C21-291E56D292BC@xxxx.net"])
        #expect(message.date == MailFixture.instant("2007-11-18T08:56:07Z"))
        #expect(message.text == "Message body")
    }

    @Test func yahooEmptyGroupGivesNoRecipientsAndLatin1QuotedPrintableIsDecoded() throws {
        let message = try MailFixture.message("yahoo-mail-alternative-iso8859-qp")
        #expect(message.to.isEmpty)
        #expect(message.headerValues("To") == ["undisclosed recipients: ;"])
        #expect(message.replyTo == [MailAddress(address: "western.uniontransfer1@hotmail.fr")])
        #expect(message.date == MailFixture.instant("2009-12-03T18:50:22Z"))
        #expect(message.text.hasPrefix("Attention Beneficiary:\n\u{A0}\nThis is to officially informed you that "
            + "we have concluded arrangements to effect your payment"))
        #expect(message.text.contains("Email: (western.union1891@live.fr) or (westerrnunion_2@sify.com)"))
        #expect(!message.text.contains("=\n"))
    }

    @Test func japaneseRFC2231ContinuedFilenameAndSplitEncodedWordSubject() throws {
        let message = try MailFixture.message("apple-mail-rfc2231-japanese-filename")
        #expect(message.subject == String(repeating: "まみむめも", count: 10))
        let file = try #require(message.attachments.first)
        #expect(file.filename == String(repeating: "かきくけこ", count: 5) + ".txt")
        #expect(file.mediaType == "text/plain")
        #expect(!file.isInline)
        #expect(String(decoding: file.data, as: UTF8.self) == "this is the data\r\n")
        #expect(message.text.isEmpty)  // the text part is an attachment by its disposition
    }

    @Test func iphoneInlineImageBetweenTwoTextPartsJoinsTheTexts() throws {
        let message = try MailFixture.message("iphone-mail-jpeg-attachment")
        #expect(message.subject == "Subject")
        #expect(message.to == [MailAddress(name: "Ewan McGregor", address: "example@example.com")])
        #expect(message.date == MailFixture.instant("2011-06-17T20:24:10Z"))
        #expect(message.text == "Hello\n\n~Danielle")
        let photo = try #require(message.attachments.first)
        #expect(photo.filename == "photo.JPG")
        #expect(photo.mediaType == "image/jpeg")
        #expect(photo.isInline)
        #expect(photo.size == 9023)
    }

    @Test func evolutionEightBitUTF8PlainAlternative() throws {
        let message = try MailFixture.message("evolution-8bit-multipart-alternative")
        #expect(message.text == "Превел\n\n123")
        #expect(message.to.map(\.address) == ["xxx@example.net", "yyy@example.net"])
        #expect(message.messageID == "1275447987.2063.842.camel@pony")
        #expect(message.date == MailFixture.instant("2010-06-02T03:06:27Z"))
    }

    @Test func thunderbirdAttachedMessageAndEncodedWordInsideAQuotedDisplayName() throws {
        let message = try MailFixture.message("thunderbird-forward-message-rfc822-attached")
        #expect(message.to == [MailAddress(name: "Александр Клижентас☯", address: "bob@example.com")])
        #expect(message.text == "Hello")
        #expect(message.attachments.map(\.filename) == ["Thanks!.eml"])
        let inner = try MailReader().read(message.attachments[0].data)
        #expect(inner.from == [MailAddress(name: "Kirk Douglas", address: "dan@example.com")])
        #expect(inner.subject == "Thanks!")
        #expect(inner.text.hasPrefix("dudes... you're kicking ass."))
    }

    @Test func thunderbirdHTMLOnlyBodyIsTurnedIntoText() throws {
        let message = try MailFixture.message("thunderbird-html-only")
        #expect(message.subject == "Please enjoy this mega long link")
        #expect(!message.text.contains("<"))
        #expect(message.text.contains("\n\nVery long link (http://www.longurlmaker.com/view/?id=UAOJNVKBMQUGPYZKC"))
        #expect(message.text.hasSuffix("\n\nTHis is very long url"))
    }

    @Test func gmailQuotedPrintableSoftBreaksAreJoined() throws {
        let message = try MailFixture.message("gmail-multipart-alternative-qp")
        #expect(message.text.contains("\nhttp://translate.google.com/translate?sl=de&tl=en&u=http%3A%2F%2Fwww."
            + "horizont.at%2Fhome%2Fdetail%2Fgoogle-ist-geldgeber-von-adblock-plus.html&act=url\n"))
        #expect(message.text.hasSuffix("Thanks,\nBob"))
        #expect(message.date == MailFixture.instant("2013-07-05T17:47:34Z"))
    }
}
