import Foundation
import PIMFormats
import Testing

/// Broken and hostile input: the reader either says where the file is broken or gives cards that the writer
/// writes, and the reader reads back, unchanged; what code puts in a card comes back as it was put.
@Suite struct VCardRobustnessTests {
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
        "\r\n", "\n", "\r", " ", "\t", ":", ";", ",", "=", "\"", "\\", ".", "=C3=91", "=\r\n", "BEGIN:VCARD\r\n",
        "END:VCARD\r\n", ";ENCODING=QUOTED-PRINTABLE", ";CHARSET=ISO-8859-1", ";BASE64", "\u{301}", "é", "👩‍👩‍👧",
    ].map { Array($0.utf8) } + [[0xFF], [0x80], [0xC3], [0x00]]

    @Test(arguments: VCardFixture.names)
    func mutatedFixturesAreReadOrRejectedAndWhatIsReadIsWrittenStably(name: String) throws {
        let original = Array(try VCardFixture.data(name))
        var random = SeededGenerator(state: UInt64(name.utf8.reduce(0) { $0 &* 31 &+ UInt64($1) }))
        for round in 0..<150 {
            var bytes = original
            if bytes.count > 4000 { bytes = Array(bytes.prefix(Int.random(in: 200...4000, using: &random))) }
            for _ in 0..<Int.random(in: 1...6, using: &random) {
                let at = Int.random(in: 0...bytes.count, using: &random)
                switch Int.random(in: 0..<3, using: &random) {
                case 0: bytes.insert(contentsOf: Self.fragments.randomElement(using: &random)!, at: at)
                case 1: if at < bytes.count { bytes.removeSubrange(at..<min(bytes.count, at + 3)) }
                default: if at < bytes.count { bytes[at] = Self.fragments.randomElement(using: &random)![0] }
                }
            }
            let cards: [VCard]
            do {
                cards = try VCardReader.read(data: Data(bytes))
            } catch {
                continue  // a PIMFormatError: typed throws says it can be nothing else
            }
            let written = VCardWriter.write(cards)
            let again = try VCardReader.read(written)
            #expect(again.count == cards.count, "round \(round)")
            #expect(VCardWriter.write(again) == written, "round \(round)")
            #expect(written.split(separator: "\r\n").allSatisfy { $0.utf8.count <= 75 }, "round \(round)")
        }
    }

    @Test func textPutInACardInCodeComesBackAsItWasPut() throws {
        let pieces = ["a", " ", "\t", "\n", "\r\n", ";", ",", ":", "\\", "\\n", "\"", "=", "é", "e\u{301}", "\u{301}",
                      "日本", "👩‍👩‍👧", "\u{FEFF}", "=C3", "BEGIN:VCARD", "END:VCARD", "\u{7F}"]
        var random = SeededGenerator(state: 42)
        func text() -> String {
            (0..<Int.random(in: 0...80, using: &random)).map { _ in pieces.randomElement(using: &random)! }.joined()
        }
        for round in 0..<300 {
            let note = text()
            let components = (0..<Int.random(in: 1...7, using: &random)).map { _ in text() }
            var card = VCard()
            card.setText("NOTE", note)
            card.setStructured("ADR", components)
            var parameterised = ContentLine(group: "item1", name: "X-Custom", value: "v")
            parameterised.setParameter("X-Values", [text(), text()])
            card.properties.append(parameterised)
            let written = VCardWriter.write(card)
            let again = try #require(try VCardReader.read(written).first, "round \(round)")
            // CR is dropped when escaping (a CRLF is one line break, `\n`).
            func withoutCR(_ text: String) -> String {
                String(String.UnicodeScalarView(text.unicodeScalars.filter { $0 != "\r" }))
            }
            #expect(again.text("NOTE") == withoutCR(note), "round \(round)")
            #expect(again.structured("ADR") == components.map(withoutCR), "round \(round)")
            #expect(VCardWriter.write(again) == written, "round \(round)")
        }
    }
}
