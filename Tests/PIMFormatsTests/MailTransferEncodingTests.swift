import Foundation
@testable import PIMFormats
import Testing

/// Content-Transfer-Encoding: quoted-printable and base64, read leniently.
@Suite struct MailTransferEncodingTests {
    static func qp(_ text: String) -> String {
        String(decoding: TransferEncoding.decodeQuotedPrintable(Array(text.utf8)), as: UTF8.self)
    }

    static func base64(_ text: String) -> [UInt8] { TransferEncoding.decodeBase64(Array(text.utf8)) }

    @Test func quotedPrintableEscapesAndSoftBreaks() {
        #expect(Self.qp("caf=C3=A9 =3D ok") == "café = ok")
        #expect(Self.qp("caf=c3=a9") == "café")  // lowercase hex
        #expect(Self.qp("long li=\r\nne and=\nmore") == "long line andmore")
        #expect(Self.qp("soft with padding=  \r\nnext") == "soft with paddingnext")
        #expect(Self.qp("ends with soft break=") == "ends with soft break")
        #expect(Self.qp("a\r\nb\nc") == "a\r\nb\nc")
    }

    @Test func quotedPrintableTrailingSpacesAreDroppedAndBrokenEscapesKept() {
        #expect(Self.qp("trailing   \r\nnext\t\nlast ") == "trailing\r\nnext\nlast")
        #expect(Self.qp("inner  spaces kept") == "inner  spaces kept")
        #expect(Self.qp("100%=XY and =4 and =") == "100%=XY and =4 and ")
        #expect(Self.qp("a=G1b") == "a=G1b")
    }

    @Test func base64WithWhitespaceJunkAndMissingPadding() {
        #expect(Self.base64("aGVsbG8gd29ybGQ=") == Array("hello world".utf8))
        #expect(Self.base64("aGVs\r\nbG8g\n d29y bGQ") == Array("hello world".utf8))  // no padding
        #expect(Self.base64("aGVsbG8*!gd29ybGQ=") == Array("hello world".utf8))
        #expect(Self.base64("aA") == Array("h".utf8))
        #expect(Self.base64("aGk=aGk=") == Array("hihi".utf8))  // two blocks run together
        #expect(Self.base64("").isEmpty)
        #expect(Self.base64("a").isEmpty)
    }

    @Test func headerValuesWithTrailingJunkAreRecognized() {
        #expect(TransferEncoding(header: "base64;") == .base64)
        #expect(TransferEncoding(header: " Quoted-Printable (sic)") == .quotedPrintable)
        #expect(TransferEncoding(header: "8bit") == .identity)
        #expect(TransferEncoding(header: "x-uuencode") == .identity)
        #expect(TransferEncoding(header: nil) == .identity)
    }

    @Test func binaryAttachmentBytesRoundTripThroughBase64() throws {
        let bytes = (0..<3000).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ $0 / 13) }
        let encoded = Data(bytes).base64EncodedString(options: [.lineLength76Characters, .endLineWithCarriageReturn,
                                                                .endLineWithLineFeed])
        let text = "From: a@x\nContent-Type: application/octet-stream\nContent-Transfer-Encoding: base64\n\n" + encoded
        let message = try MailReader().read(Data(text.utf8))
        #expect(message.attachments.first?.data == Data(bytes))
        #expect(message.text.isEmpty)
    }
}
