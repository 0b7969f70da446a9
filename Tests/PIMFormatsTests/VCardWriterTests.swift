import Foundation
import PIMFormats
import Testing

@Suite struct VCardWriterTests {
    @Test(arguments: VCardFixture.names)
    func everyPropertySurvivesWritingAs40AndReadingAgain(name: String) throws {
        let cards = try VCardFixture.cards(name)
        let written = VCardWriter.write(cards)
        let again = try VCardReader.read(written)
        try #require(again.count == cards.count)
        var rereadProperties: [ContentLine] = []
        for (card, reread) in zip(cards, again) {
            var expected = card
            if card.first("FN") == nil {
                // vCard 4.0 requires FN: the writer made one, first.
                #expect(reread.properties.first?.name == "FN")
                expected.properties.insert(try #require(reread.properties.first), at: 0)
            }
            // Values and parameters, as normalized on the first reading: equal (line numbers aside).
            #expect(reread == expected)
            rereadProperties += card.first("FN") == nil ? Array(reread.properties.dropFirst()) : reread.properties
        }

        // Against the file itself: every property is there, in order, with its group and its name.
        let file = try ContentLineReader.read(String(decoding: try VCardFixture.data(name), as: UTF8.self))
        let fileProperties = file.filter { !["BEGIN", "END", "VERSION"].contains($0.name) }
        #expect(fileProperties.map { "\($0.group ?? "").\($0.spelling ?? "")" }
            == rereadProperties.map { "\($0.group ?? "").\($0.spelling ?? "")" })
        // Values of 3.0 and 4.0 files are as written, but for the `http\://` of Google's URLs.
        guard !file.contains(where: { $0.name == "VERSION" && $0.value == "2.1" }) else { return }
        for (original, reread) in zip(fileProperties, rereadProperties) where original.name != "URL" {
            if original.parameterValue("ENCODING") == nil {
                #expect(reread.value == original.value, "line \(original.line)")
            }
            let unchangedParameters = original.parameters.filter { $0.name != "CHARSET" }
            if !original.types.contains("pref") {
                #expect(reread.parameters == unchangedParameters, "line \(original.line)")
            }
        }
    }

    @Test(arguments: VCardFixture.names)
    func settingTheTitleLeavesEveryXPropertyByteIdentical(name: String) throws {
        let cards = try VCardFixture.cards(name)
        var modified = cards
        for index in modified.indices { modified[index].setText("TITLE", "Chief Counter; Money, Inc.") }
        let before = VCardWriter.write(cards)
        let after = VCardWriter.write(modified)
        #expect(VCardTestText.extensionLines(after) == VCardTestText.extensionLines(before))
        #expect(try VCardReader.read(after).allSatisfy { $0.text("TITLE") == "Chief Counter; Money, Inc." })
        #expect(after.contains("TITLE:Chief Counter\\; Money\\, Inc.\r\n"))

        // And as in the file: the same logical lines (group, name as spelt, parameters, value), bar the
        // 2.1 CHARSET and ENCODING parameters dropped on purpose.
        let file = VCardTestText.logicalLines(String(decoding: try VCardFixture.data(name), as: UTF8.self))
        let fileExtensions = file.filter(VCardTestText.isExtension)
        let written = VCardTestText.logicalLines(after).filter(VCardTestText.isExtension)
        #expect(written.count == fileExtensions.count)
        for line in fileExtensions {
            let head = line.prefix { $0 != ":" }.uppercased()
            if head.contains("CHARSET=") || head.contains("ENCODING=") { continue }
            #expect(written.contains(line), "\(line.prefix(60))")
        }
    }

    @Test func aLongUTF8NoteIsFoldedAt75OctetsWithoutSplittingACharacter() throws {
        let note = String(repeating: "Grüße aus Köln, 日本語のメモ 👩‍👩‍👧 e\u{301}\u{302}\u{303} ", count: 12)
            + "\nZweite Zeile"
        var card = VCard()
        card.setText("FN", "Jörg Müller")
        card.setText("NOTE", note)
        let written = VCardWriter.write(card)
        let physical = Array(written.utf8).split(separator: 0x0A).map { Array($0) }
        #expect(physical.count > 12)
        for line in physical {
            #expect(line.last == 0x0D)  // CRLF everywhere
            #expect(line.count <= 76)  // 75 octets and the CR
            #expect(String(validating: line, as: UTF8.self) != nil)  // no UTF-8 sequence cut in two
        }
        #expect(try VCardReader.read(written).first?.text("NOTE") == note)
    }

    @Test func structuredNameAndAddressEscapeSemicolonsAndCommas() throws {
        var card = VCard()
        card.setStructured("N", ["O'Brien; Murphy", "Mary, Ann", "", "Dr.", ""])
        card.setStructured(
            "ADR", ["", "Suite 5; Floor 2", "1 Main St, Building A", "Springfield", "IL", "62701", "USA"])
        let written = VCardWriter.write(card)
        #expect(written.contains("\r\nN:O'Brien\\; Murphy;Mary\\, Ann;;Dr.;\r\n"))
        #expect(written.contains("\r\nADR:;Suite 5\\; Floor 2;1 Main St\\, Building A;Springfield;IL;62701;USA\r\n"))
        #expect(written.contains("\r\nFN:Dr. Mary\\, Ann O'Brien\\; Murphy\r\n"))
        let again = try #require(try VCardReader.read(written).first)
        #expect(again.structured("N") == ["O'Brien; Murphy", "Mary, Ann", "", "Dr.", ""])
        #expect(again.structured("ADR") == ["", "Suite 5; Floor 2", "1 Main St, Building A", "Springfield", "IL",
                                            "62701", "USA"])
    }

    @Test func aCardWithoutFNGetsOneMadeFromItsName() throws {
        let card = VCard(properties: [ContentLine(name: "N", value: "Doe;John;Richter,James;Mr.;Sr.")])
        #expect(VCardWriter.write(card) == "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Mr. John Richter James Doe Sr.\r\n"
            + "N:Doe;John;Richter,James;Mr.;Sr.\r\nEND:VCARD\r\n")
        let organization = VCard(properties: [ContentLine(name: "ORG", value: "ACME\\, Inc.;Sales")])
        #expect(VCardWriter.write(organization).contains("\r\nFN:ACME\\, Inc.\r\n"))
        #expect(VCardWriter.write(VCard()) == "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:\r\nEND:VCARD\r\n")
    }

    @Test func parametersGroupsAndNamesAreWrittenAsRead() throws {
        let text = "BEGIN:VCARD\r\nVERSION:3.0\r\nitem1.EMAIL;type=INTERNET;type=WORK:jane@example.com\r\n"
            + "item1.X-ABLabel:Büro\r\nX-Custom;X-Param=\"quoted\";X-List=a,b:value\\, escaped\r\n"
            + "TEL;TYPE=\"work,voice\":+1 555 0100\r\nEND:VCARD\r\n"
        let card = try #require(try VCardReader.read(text).first)
        #expect(VCardWriter.write(card) == "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:jane@example.com\r\n"
            + "item1.EMAIL;TYPE=INTERNET;TYPE=WORK:jane@example.com\r\nitem1.X-ABLabel:Büro\r\n"
            + "X-Custom;X-PARAM=\"quoted\";X-LIST=a,b:value\\, escaped\r\nTEL;TYPE=\"work,voice\":+1 555 0100\r\n"
            + "END:VCARD\r\n")
    }

    @Test func valuesMadeInCodeCannotBreakTheFile() throws {
        var photo = ContentLine(name: "PHOTO", value: "R0lGODlh\nAQABAIAAAP==")
        photo.setParameter("ENCODING", ["b"])
        var note = ContentLine(name: "NOTE", value: "one\r\ntwo\nthree")
        note.setParameter("X-LABEL", ["say \"hi\"\nplease"])
        let card = VCard(properties: [
            ContentLine(name: "VERSION", value: "2.1"), ContentLine(name: "FN", value: "Jane"), note, photo,
            ContentLine(name: "END", value: "VCARD"),
        ])
        let written = VCardWriter.write(card)
        #expect(written == "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Jane\r\nNOTE;X-LABEL=say 'hi' please:one\\ntwo\\nthree\r\n"
            + "PHOTO;ENCODING=b:R0lGODlhAQABAIAAAP==\r\nEND:VCARD\r\n")
        #expect(try VCardReader.read(written).count == 1)
    }
}

/// Text helpers for comparing written files with fixtures without the codec under test.
enum VCardTestText {
    /// Logical lines: CRLF, CR CR LF, LF or CR line breaks; continuation lines (leading space or tab) joined.
    static func logicalLines(_ text: String) -> [String] {
        let normalized = text.replacingOccurrences(of: "\r\r\n", with: "\n")
            .replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
        var lines: [String] = []
        for physical in normalized.split(separator: "\n", omittingEmptySubsequences: true) {
            // By scalar: a folded line may start with a combining mark, which a Character would join to the space.
            if let first = physical.unicodeScalars.first, first == " " || first == "\t", !lines.isEmpty {
                lines[lines.count - 1] += String(physical.unicodeScalars.dropFirst())
            } else {
                lines.append(String(physical))
            }
        }
        return lines
    }

    /// Whether a logical line is an X- property (after its group).
    static func isExtension(_ line: String) -> Bool {
        let head = line.prefix { $0 != ":" && $0 != ";" }
        let name = head.split(separator: ".").last ?? ""
        return name.uppercased().hasPrefix("X-")
    }

    /// The X- properties of a written file, as folded there.
    static func extensionLines(_ written: String) -> [String] {
        var chunks: [String] = []
        for physical in written.components(separatedBy: "\r\n") {
            if physical.unicodeScalars.first == " ", !chunks.isEmpty {
                chunks[chunks.count - 1] += "\r\n" + physical
            } else {
                chunks.append(physical)
            }
        }
        return chunks.filter(isExtension)
    }
}
