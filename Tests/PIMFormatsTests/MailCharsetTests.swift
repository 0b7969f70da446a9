import Foundation
@testable import PIMFormats
import Testing

/// Charsets of mail, through the built-in tables and iconv.
@Suite struct MailCharsetTests {
    static func decode(_ bytes: [UInt8], _ label: String) -> String? {
        MailCharset(label: label)?.decode(bytes)
    }

    @Test func aliasesMailersUse() {
        #expect(MailCharset(label: "UTF8") == .utf8)
        #expect(MailCharset(label: "\"latin1\"") == .windows1252)
        #expect(MailCharset(label: "cp1252") == .windows1252)
        #expect(MailCharset(label: "ks_c_5601-1987") == .iconv("CP949"))
        #expect(MailCharset(label: "gb2312") == .iconv("GB18030"))
        #expect(MailCharset(label: "x-sjis") == .iconv("CP932"))
        #expect(MailCharset(label: "iso8859-15") == .iconv("ISO-8859-15"))
        #expect(MailCharset(label: "ISO_8859-2") == .iconv("ISO-8859-2"))
        #expect(MailCharset(label: "x-foo") == nil)
        #expect(MailCharset(label: "utf-8//TRANSLIT") == nil)
        #expect(MailCharset(label: "") == nil)
    }

    @Test func westernCharsets() {
        #expect(Self.decode([0x93, 0x45, 0x94, 0x80], "windows-1252") == "“E”€")
        #expect(Self.decode([0xE9, 0x93], "iso-8859-1") == "é“")  // read as Windows-1252, as mail readers do
        #expect(Self.decode([0xA4], "iso-8859-15") == "€")
        #expect(Self.decode([0xB9, 0xE6], "windows-1250") == "ąć")
        #expect(Self.decode([0xC0, 0xE1], "windows-1251") == "Аб")
        #expect(Self.decode([0xE0], "iso-8859-7") == "ΰ")
        #expect(Self.decode([0xC3, 0xA9], "us-ascii") == "é")  // 8-bit text labelled ASCII: UTF-8 when valid
        #expect(Self.decode([0xE9], "us-ascii") == "é")
        #expect(Self.decode([0xFF, 0xFE], "utf-8") == "\u{FFFD}\u{FFFD}")
    }

    @Test func eastAsianAndCyrillicCharsetsThroughIconv() {
        #expect(Self.decode([0x82, 0xA0, 0x87, 0x40], "Shift_JIS") == "あ①")  // with the NEC extension
        #expect(Self.decode([0xA4, 0xA2], "euc-jp") == "あ")
        #expect(Self.decode([0xC7, 0xD1, 0xB1, 0xDB], "euc-kr") == "한글")
        #expect(Self.decode([0x81, 0x41], "ks_c_5601-1987") == "갂")  // CP949 beyond EUC-KR
        #expect(Self.decode([0x81, 0x40], "gb2312") == "丂")  // GBK beyond GB2312
        #expect(Self.decode([0xA4, 0xA4, 0xA4, 0xE5], "big5") == "中文")
        #expect(Self.decode([0xF0, 0xD2, 0xC9], "koi8-r") == "При")
        #expect(Self.decode([0xA4], "koi8-u") == "є")
        #expect(Self.decode([0xFF, 0xFE, 0x41, 0x00, 0x42, 0x00], "utf-16") == "AB")
        #expect(Self.decode([0x00, 0x41], "utf-16be") == "A")
        #expect(Self.decode([0x41, 0x00, 0x00, 0x00], "utf-32le") == "A")
        #expect(Self.decode(Array("+ZeVnLIqe-".utf8), "utf-7") == "日本語")
    }

    @Test func isoTwentyTwentyTwoJapaneseWithExtensionsAndKatakana() {
        let escape: UInt8 = 0x1B
        var bytes: [UInt8] = [escape, 0x24, 0x42, 0x24, 0x39, 0x2D, 0x21, escape, 0x28, 0x42]  // す①
        bytes += Array("ok".utf8) + [escape, 0x28, 0x49, 0x31, escape, 0x28, 0x42]  // ｱ (half-width)
        bytes += [escape, 0x24, 0x40, 0x24, 0x22, escape, 0x28, 0x4A, 0x21]  // あ in JIS C 6226, then JIS Roman
        #expect(Self.decode(bytes, "iso-2022-jp") == "す①okｱあ!")
    }

    @Test func invalidSequencesBecomeReplacementCharacters() {
        #expect(Self.decode([0x41, 0x82], "shift_jis") == "A\u{FFFD}")
        #expect(Self.decode([0xFF, 0x41], "euc-kr") == "\u{FFFD}A")
    }

    @Test func unknownBodyCharsetIsLatin1WithAWarningNamingThePart() throws {
        let text = """
            From: a@x
            Content-Type: multipart/mixed; boundary=b

            --b
            Content-Type: text/plain

            first
            --b
            Content-Type: text/plain; charset=x-foo

            caf\u{E9}
            --b--
            """
        var bytes = Array(text.utf8)
        let index = bytes.firstIndex(of: 0xC3)!  // the é, made a single ISO-8859-1 byte
        bytes.replaceSubrange(index...(index + 1), with: [0xE9])
        let message = try MailReader().read(Data(bytes))
        #expect(message.text == "first\n\ncafé")
        #expect(message.warnings == ["unknown charset 'x-foo' in part 2; read as ISO-8859-1"])
    }

    @Test func rawEightBitHeadersAreUTF8ElseWindows1252() throws {
        var bytes = Array("Subject: Grüße\nFrom: ".utf8) + [0x4A, 0xF6, 0x72, 0x67]  // "Jörg" in Windows-1252
        bytes += Array(" <j@x.de>\n\nbody".utf8)
        let message = try MailReader().read(Data(bytes))
        #expect(message.subject == "Grüße")
        #expect(message.from == [MailAddress(name: "Jörg", address: "j@x.de")])
    }
}
