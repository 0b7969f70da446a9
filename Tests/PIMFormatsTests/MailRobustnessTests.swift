import Foundation
import PIMFormats
import Testing

/// Broken and hostile input: the reader gives a message or a MailFormatError, never crashes, and stays linear.
@Suite struct MailRobustnessTests {
    /// SplitMix64: the same mutations on every run, so a failure can be reproduced.
    private struct SeededGenerator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    private static let fragments: [[UInt8]] = [
        "\r\n", "\n", "\r", " ", "\t", ":", ";", "=", "\"", "\\", "<", ">", "(", ")", ",", "--", "=?utf-8?q?", "?=",
        "=?iso-2022-jp?b?GyRC", "=C3", "=\r\n", "&#", "&amp", "<a href=", "<p>", "<!--", "boundary=", "*0*=",
        "Content-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\n", "Content-Transfer-Encoding: base64\r\n",
        "charset=x-foo", "charset=shift_jis", "format=flowed", "\u{1B}$B", "é", "日本",
    ].map { Array($0.utf8) } + [[0xFF], [0x80], [0xC3], [0x00], [0x1B]]

    @Test(arguments: MailFixture.names)
    func mutatedFixturesAreReadOrRejected(name: String) throws {
        let original = Array(try MailFixture.data(name))
        var random = SeededGenerator(state: UInt64(name.utf8.reduce(0) { $0 &* 31 &+ UInt64($1) }))
        var read = 0
        for _ in 0..<120 {
            var bytes = original
            for _ in 0..<Int.random(in: 1...8, using: &random) {
                let at = Int.random(in: 0...bytes.count, using: &random)
                switch Int.random(in: 0..<3, using: &random) {
                case 0: bytes.insert(contentsOf: Self.fragments.randomElement(using: &random)!, at: at)
                case 1: if at < bytes.count { bytes.removeSubrange(at..<min(bytes.count, at + 40)) }
                default: if at < bytes.count { bytes[at] = Self.fragments.randomElement(using: &random)![0] }
                }
            }
            guard let message = try? MailReader().read(Data(bytes)) else { continue }
            read += 1
            #expect(!message.text.contains("\r"))
        }
        #expect(read > 0)
    }

    @Test func hostileInputsAreReadWithoutCrashing() throws {
        let inputs: [String] = [
            "Subject: " + String(repeating: "=?a?q?x", count: 20_000) + "\n\n",
            "To: " + String(repeating: "=?a?q?x<\"(", count: 10_000) + "\n\n",
            "References: " + String(repeating: "<(", count: 20_000) + "\n\n",
            "From: a@x\nContent-Type: text/html\n\n" + String(repeating: "<a href=x>text", count: 12_000),
            "From: a@x\nContent-Type: text/html\n\n" + String(repeating: "<!-- <script> &#x", count: 12_000),
            "From: a@x\nContent-Type: multipart/mixed; boundary=b\n\n" + String(repeating: "--b\n", count: 20_000),
            "From: a@x\nContent-Type: multipart/mixed; boundary=b\n\n"
                + String(repeating: "--b\nContent-Type: multipart/mixed; boundary=b\n\n", count: 10),
            "From: a@x\nDate: " + String(repeating: "1 ", count: 20_000) + "\n\n",
            "From: a@x\n" + String(repeating: " folded\n", count: 20_000) + "\n",
            "From: a@x\nContent-Type: text/plain; format=flowed\n\n" + String(repeating: "> a \n", count: 20_000),
        ]
        // Each once took time quadratic in its length. Speed is measured in release builds, never asserted on a
        // shared machine; here a relapse shows as a test that takes minutes.
        for input in inputs {
            let message = try? MailReader().read(Data(input.utf8))
            #expect(message == nil || message?.text.contains("\r") == false, "\(input.prefix(60))")
        }
    }

    @Test func invalidBytesInEveryCharsetDoNotCrash() throws {
        let junk = (0..<512).map { UInt8(truncatingIfNeeded: $0 &* 97 &+ 13) }
        for charset in ["utf-8", "iso-2022-jp", "shift_jis", "euc-kr", "gbk", "big5", "koi8-r", "utf-16", "utf-32",
                        "utf-7", "x-foo"] {
            let head = Array("From: a@x\nContent-Type: text/plain; charset=\(charset)\n\n".utf8)
            let message = try MailReader().read(Data(head + junk))
            #expect(!message.text.isEmpty)
        }
    }
}
