import Foundation
import PIMFormats
import Testing

/// Header sections and MIME structure: line endings, folding, and which part becomes the text.
@Suite struct MailStructureTests {
    static func read(_ text: String) throws -> MailMessage {
        try MailReader().read(Data(text.utf8))
    }

    @Test(arguments: ["\r\n", "\n"])
    func lineEndingsAndFoldedCaseInsensitiveHeaders(ending: String) throws {
        let text = [
            "SUBJECT: a long", "\tfolded subject", "from: Ann", " <ann@x.com>", "Message-Id:", "  <id-1@x.com>",
            "content-type: TEXT/PLAIN;", " charset=utf-8", "", "line one", "line two", "",
        ].joined(separator: ending)
        let message = try Self.read(text)
        #expect(message.subject == "a long folded subject")
        #expect(message.from == [MailAddress(name: "Ann", address: "ann@x.com")])
        #expect(message.messageID == "id-1@x.com")
        #expect(message.text == "line one\nline two")
        #expect(message.headers.map(\.name) == ["SUBJECT", "from", "Message-Id", "content-type"])
        #expect(message.headers[3].value == "TEXT/PLAIN; charset=utf-8")
    }

    @Test func mixedLineEndingsInOneMessage() throws {
        let text = "From: a@x.com\r\nContent-Type: multipart/mixed; boundary=\"b\"\n\r\n--b\r\n"
            + "Content-Type: text/plain\n\nfirst\r\nsecond\n--b--\r\n"
        let message = try Self.read(text)
        #expect(message.text == "first\nsecond")
    }

    @Test func headersAreDecodedInTheListAndAnMboxLineAndLeadingBlankLinesSkipped() throws {
        let text = "\n   \nFrom sender@x.com Thu Feb 22 11:20:31 2007\nFrom: a@x.com\n"
            + "Subject: =?utf-8?q?Gr=C3=BC=C3=9Fe?=\nX-Empty:\n\nbody"
        let message = try Self.read(text)
        #expect(message.headers == [
            MailHeader(name: "From", value: "a@x.com"), MailHeader(name: "Subject", value: "Grüße"),
            MailHeader(name: "X-Empty", value: ""),
        ])
        #expect(message.headerValues("subject") == ["Grüße"])
        #expect(message.text == "body")
    }

    @Test func aStrayLineInTheHeadersStartsTheBodyWithAWarning() throws {
        let message = try Self.read("From: a@x.com\nSubject: hi\nthis is not a header\nmore\n")
        #expect(message.subject == "hi")
        #expect(message.text == "this is not a header\nmore")
        #expect(message.warnings == ["line 3 is not a header field; the header section was taken to end before it"])
    }

    @Test func headersOnlyMessageHasEmptyText() throws {
        let message = try Self.read("From: a@x.com\nSubject: only headers")
        #expect(message.subject == "only headers")
        #expect(message.text == "")
    }

    @Test func alternativeTakesPlainTextAndTheBestOfANestedAlternative() throws {
        let text = """
            From: a@x.com
            Content-Type: multipart/alternative; boundary=outer

            --outer
            Content-Type: multipart/alternative; boundary=inner

            --inner
            Content-Type: text/html

            <p>nested html</p>
            --inner
            Content-Type: text/plain

            nested plain
            --inner--
            --outer
            Content-Type: text/html

            <p>outer html</p>
            --outer--
            """
        #expect(try Self.read(text).text == "nested plain")
    }

    @Test func emptyPlainAlternativeGivesWayToHTMLAndCalendarIsAnAttachment() throws {
        let text = """
            From: a@x.com
            Content-Type: multipart/alternative; boundary=b

            --b
            Content-Type: text/plain; charset=utf-8

            \("  ")
            --b
            Content-Type: text/html; charset=utf-8

            <p>Meeting at <b>10</b></p>
            --b
            Content-Type: text/calendar; method=REQUEST; charset=utf-8

            BEGIN:VCALENDAR
            END:VCALENDAR
            --b--
            """
        let message = try Self.read(text)
        #expect(message.text == "Meeting at 10")
        #expect(message.attachments.map(\.mediaType) == ["text/calendar"])
        #expect(message.attachments.first?.filename == nil)
    }

    @Test func relatedGivesItsStartRootAndTheRestAsInlineAttachments() throws {
        let text = """
            From: a@x.com
            Content-Type: multipart/related; boundary=r; start="<root@x>"; type="text/html"

            --r
            Content-Type: image/gif
            Content-ID: <img@x>
            Content-Transfer-Encoding: base64

            R0lGODlhAQABAAAAACw=
            --r
            Content-Type: text/html
            Content-ID: <root@x>

            <p>Logo: <img src="cid:img@x"></p>
            --r--
            """
        let message = try Self.read(text)
        #expect(message.text == "Logo:")
        #expect(message.attachments.count == 1)
        #expect(message.attachments.first?.contentID == "img@x")
        #expect(message.attachments.first?.isInline == true)
        #expect(message.attachments.first?.size == 14)
    }

    @Test func missingFinalBoundaryIsToleratedWithAWarning() throws {
        let text = """
            From: a@x.com
            Content-Type: multipart/mixed; boundary="quoted boundary"

            preamble is ignored
            --quoted boundary
            Content-Type: text/plain

            only part, never closed
            """
        let message = try Self.read(text)
        #expect(message.text == "only part, never closed")
        #expect(message.warnings == ["multipart/mixed in part 1 has no closing boundary \"--quoted boundary--\"; its "
            + "last part was read to the end"])
    }

    @Test func boundaryThatPrefixesANestedOneAndTrailingWhitespaceOnDelimiters() throws {
        let text = """
            From: a@x.com
            Content-Type: multipart/mixed; boundary="=="

            --==\("  ")
            Content-Type: multipart/alternative; boundary="==2"

            --==2
            Content-Type: text/plain

            inner text
            --==2--
            --==
            Content-Type: application/pdf; name=a.pdf

            %PDF
            --==--\("\t")
            epilogue is ignored
            """
        let message = try Self.read(text)
        #expect(message.text == "inner text")
        #expect(message.attachments.map(\.filename) == ["a.pdf"])
        #expect(message.attachments.first?.data == Data("%PDF".utf8))
        #expect(message.warnings.isEmpty)
    }

    @Test func mixedJoinsInlineTextAndMakesTextWithAttachmentDispositionOrFilenameAnAttachment() throws {
        let text = """
            From: a@x.com
            Content-Type: multipart/mixed; boundary=b

            --b

            no headers: plain text
            --b
            Content-Type: text/plain; charset=utf-8
            Content-Disposition: attachment; filename=notes.txt

            a file
            --b
            Content-Type: text/plain; name=inline-file.txt
            Content-Disposition: inline

            also a file
            --b
            Content-Type: text/html

            <p>second inline text</p>
            --b--
            """
        let message = try Self.read(text)
        #expect(message.text == "no headers: plain text\n\nsecond inline text")
        #expect(message.attachments.map(\.filename) == ["notes.txt", "inline-file.txt"])
        #expect(message.attachments.map(\.mediaType) == ["text/plain", "text/plain"])
    }

    @Test func multipartWithoutBoundaryIsReadAsTextWithAWarning() throws {
        let message = try Self.read("From: a@x.com\nContent-Type: multipart/mixed\n\njust text\n")
        #expect(message.text == "just text")
        #expect(message.warnings == ["multipart/mixed in part 1 names no boundary; its body was read as text"])
    }

    @Test func encryptedPartsAreAttachmentsAndDigestPartsAreMessages() throws {
        let encrypted = """
            From: a@x.com
            Content-Type: multipart/encrypted; protocol="application/pgp-encrypted"; boundary=e

            --e
            Content-Type: application/pgp-encrypted

            Version: 1
            --e
            Content-Type: application/octet-stream

            -----BEGIN PGP MESSAGE-----
            --e--
            """
        let message = try Self.read(encrypted)
        #expect(message.text == "")
        #expect(message.attachments.map(\.mediaType) == ["application/pgp-encrypted", "application/octet-stream"])
        let digest = """
            From: list@x.com
            Content-Type: multipart/digest; boundary=d

            --d

            Subject: First post
            From: a@x.com

            one
            --d

            From: b@x.com

            two
            --d--
            """
        let read = try Self.read(digest)
        #expect(read.attachments.map(\.filename) == ["First post.eml", "message.eml"])
        #expect(read.attachments.map(\.mediaType) == ["message/rfc822", "message/rfc822"])
    }

    @Test func attachedMessageNameFallsBackToItsFilenameAndSubjectSlashesAreReplaced() throws {
        let text = """
            From: a@x.com
            Content-Type: multipart/mixed; boundary=b

            --b
            Content-Type: message/rfc822; name=fwd.eml

            From: c@x.com

            no subject
            --b
            Content-Type: message/rfc822

            Subject: Q1/Q2 =?utf-8?q?r=C3=A9sum=C3=A9?=

            body
            --b--
            """
        let message = try Self.read(text)
        #expect(message.attachments.map(\.filename) == ["fwd.eml", "Q1_Q2 résumé.eml"])
    }

    @Test func wholeMessageThatIsOneAttachment() throws {
        let text = "From: scanner@x.com\nContent-Type: application/pdf\nContent-Disposition: attachment; "
            + "filename=\"scan.pdf\"\nContent-Transfer-Encoding: base64\n\nJVBERg==\n"
        let message = try Self.read(text)
        #expect(message.text == "")
        #expect(message.attachments == [MailAttachment(filename: "scan.pdf", mediaType: "application/pdf",
                                                       data: Data("%PDF".utf8))])
    }

    @Test func largeBase64AttachmentParsesQuickly() throws {
        let payload = Data((0..<(3 * 1024 * 1024)).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        let encoded = payload.base64EncodedString(options: [.lineLength76Characters, .endLineWithCarriageReturn,
                                                            .endLineWithLineFeed])
        let text = "From: a@x.com\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain"
            + "\r\n\r\nsee file\r\n--b\r\nContent-Type: application/octet-stream; name=big.bin\r\n"
            + "Content-Transfer-Encoding: base64\r\n\r\n" + encoded + "\r\n--b--\r\n"
        let start = Date()
        let message = try Self.read(text)
        #expect(Date().timeIntervalSince(start) < 10)  // debug build; release reads 20 MB in well under a second
        #expect(message.text == "see file")
        #expect(message.attachments.first?.data == payload)
    }
}
