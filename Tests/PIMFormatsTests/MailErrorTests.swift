import Foundation
import PIMFormats
import Testing

/// Input that is not a readable message: each error says why and names the line.
@Suite struct MailErrorTests {
    static func read(_ text: String, reader: MailReader = MailReader()) -> MailFormatError? {
        do {
            _ = try reader.read(Data(text.utf8))
            return nil
        } catch {
            return error
        }
    }

    @Test func inputOverTheLimitIsRefusedBeforeParsing() throws {
        let text = "Subject: x\r\n\r\n" + String(repeating: "a", count: 100)
        let error = Self.read(text, reader: MailReader(maxBytes: 64))
        #expect(error == MailFormatError(.tooLarge(limit: 64, size: 114)))
        #expect(error?.line == nil)
        #expect(error?.description == "The message is 114 bytes, more than the limit of 64 bytes, so it was not read.")
    }

    @Test func emptyInputHasNoHeaders() throws {
        #expect(Self.read("") == MailFormatError(.noHeaders))
        #expect(Self.read("\r\n  \r\n\n") == MailFormatError(.noHeaders))
        #expect(Self.read("")?.description == "The message is empty: it has no header section, so it is not an email.")
    }

    @Test func binaryJunkIsNotAMessageAndTheErrorNamesLineOne() throws {
        var png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D]
        png += (0..<200).map { UInt8(truncatingIfNeeded: $0 &* 37) }
        #expect(throws: MailFormatError(.noHeaders, line: 1)) { try MailReader().read(Data(png)) }
    }

    @Test func textWhoseFirstLineIsNotAHeaderNamesThatLine() throws {
        let error = Self.read("\n\nDear Ann,\nSubject: not a header here\n")
        #expect(error == MailFormatError(.noHeaders, line: 3))
        #expect(error?.description.hasPrefix("Line 3 is not a header field") == true)
    }

    @Test func multipartWhoseBoundaryNeverOccursIsBrokenStructureAtItsContentType() throws {
        let text = """
            From: a@example.com\r
            Subject: broken\r
            Content-Type: multipart/mixed;\r
             boundary="never-seen"\r
            \r
            --other-boundary\r
            Content-Type: text/plain\r
            \r
            hello\r
            --other-boundary--\r

            """
        let error = Self.read(text)
        #expect(error == MailFormatError(.missingBoundary(boundary: "never-seen"), line: 3))
        #expect(error?.description.contains("\"never-seen\", which never occurs") == true)
    }

    @Test func nestedMultipartWithoutItsBoundaryNamesTheNestedLine() throws {
        let text = """
            From: a@example.com
            Content-Type: multipart/mixed; boundary=outer

            --outer
            Content-Type: text/plain

            first
            --outer
            Content-Type: multipart/alternative; boundary=inner

            no inner delimiter here
            --outer--

            """
        #expect(Self.read(text) == MailFormatError(.missingBoundary(boundary: "inner"), line: 9))
    }

    @Test func multipartsNestedDeeperThanTheLimitAreRefused() throws {
        var text = "From: a@example.com\n"
        for level in 0..<25 {
            text += "Content-Type: multipart/mixed; boundary=b\(level)\n\n--b\(level)\n"
        }
        text += "Content-Type: text/plain\n\ndeep\n"
        for level in (0..<25).reversed() { text += "--b\(level)--\n" }
        let error = Self.read(text)
        // Levels 0-19 are read; the 21st multipart (level 20) starts at line 2 + 20 * 3.
        #expect(error == MailFormatError(.nestingTooDeep(limit: 20), line: 62))
        #expect(error?.description == "Line 62: multipart sections are nested more than 20 deep here; the message "
            + "was not read.")
        let shallow = try MailReader(maxDepth: 30).read(Data(text.utf8))
        #expect(shallow.text == "deep")
    }
}
