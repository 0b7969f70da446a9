import Foundation
@testable import PIMFormats
import Testing

/// Header values with parameters (RFC 2045) and RFC 2231 parameter values.
@Suite struct MailParameterTests {
    @Test func valueAndParametersQuotedOrNot() {
        let value = MIMEHeaderValue(parsing: "multipart/mixed; boundary=\"----=_Part_1; x\"; Charset=UTF-8 ;")
        #expect(value.value == "multipart/mixed")
        #expect(value.parameters == ["boundary": "----=_Part_1; x", "charset": "UTF-8"])
    }

    /// A part's media type is lowercased `type/subtype` of token characters, whatever quotes, case,
    /// parameters, comments or stray characters the header has.
    @Test(arguments: [
        ("\"Application/PDF\"; name=\"a.pdf\"", "application/pdf"),
        ("IMAGE/JPEG;name=photo.jpg", "image/jpeg"),
        ("  image/png (screenshot) ; x=1", "image/png"),
        ("application/vnd.ms-excel\u{00A0}; name=x.xls", "application/vnd.ms-excel"),
    ])
    func partMediaTypeIsNormalised(header: String, expected: String) {
        let entity = MIMEEntity(fields: [HeaderField(name: "Content-Type", rawValue: header, offset: 0)], body: 0..<0, offset: 0)
        #expect(entity.mediaType == expected)
    }

    @Test func lenientValuesUnquotedWithSpacesEscapesAndMissingValues() {
        let value = MIMEHeaderValue(parsing: "attachment; filename=my file.pdf; size; name=\"a \\\"b\\\" c\"")
        #expect(value.parameters["filename"] == "my file.pdf")
        #expect(value.parameters["size"] == "")
        #expect(value.parameters["name"] == "a \"b\" c")
    }

    @Test func extendedValueWithCharsetAndLanguage() {
        let value = MIMEHeaderValue(parsing: "attachment; filename*=ISO-8859-1'de'Gr%FC%DFe%20aus%20K%F6ln.txt")
        #expect(value.parameters["filename"] == "Grüße aus Köln.txt")
    }

    @Test func continuationsInOrderMixingEncodedAndPlainSections() {
        let value = MIMEHeaderValue(parsing: """
            attachment; filename*1*=%E3%81%8D.txt; filename*0*=utf-8''%E3%81%8B; filename*2="-plain"; \
            filename="fallback.txt"
            """)
        #expect(value.parameters["filename"] == "かき.txt-plain")
    }

    @Test func plainContinuationsAndAnExtendedValueWinOverThePlainOne() {
        let split = MIMEHeaderValue(parsing: "message/external-body; URL*0=\"ftp://\"; URL*1=\"example.com/f\"")
        #expect(split.parameters["url"] == "ftp://example.com/f")
        let both = MIMEHeaderValue(parsing: "inline; filename=\"plain.txt\"; filename*=utf-8''%C3%A9.txt")
        #expect(both.parameters["filename"] == "é.txt")
    }

    @Test func extendedValueWithoutCharsetOrWithAnUnknownOne() {
        #expect(MIMEHeaderValue(parsing: "a; n*=''%C3%A9").parameters["n"] == "é")
        #expect(MIMEHeaderValue(parsing: "a; n*=''%E9").parameters["n"] == "é")  // not UTF-8: Windows-1252
        var unknown: [String] = []
        let value = MIMEHeaderValue(parsing: "a; n*=x-foo''%E9", unknownCharsets: &unknown)
        #expect(value.parameters["n"] == "é")
        #expect(unknown == ["x-foo"])
    }

    @Test func attachmentNamesFromEncodedWordsAndFromContentTypeName() throws {
        let text = """
            From: a@example.com
            Content-Type: multipart/mixed; boundary=b

            --b
            Content-Type: application/pdf; name="=?utf-8?q?Pr=C3=BCfung.pdf?="

            x
            --b
            Content-Type: application/octet-stream
            Content-Disposition: attachment; filename*0="long-"; filename*1="name.bin"

            y
            --b--
            """
        let message = try MailReader().read(Data(text.utf8))
        #expect(message.attachments.map(\.filename) == ["Prüfung.pdf", "long-name.bin"])
    }
}
