import PIMFormats
import Testing

@Suite struct VCardTests {
    private static let card = VCard(properties: [
        ContentLine(name: "FN", value: "Jane Doe"),
        ContentLine(group: "item1", name: "TITLE", parameters: [.init(name: "LANGUAGE", values: ["en"])],
                    value: "Head of Sales\\, EMEA"),
        ContentLine(group: "item1", name: "X-ABLabel", value: "work"),
        ContentLine(name: "EMAIL", value: "jane@example.com"),
        ContentLine(name: "email", value: "jane.doe@example.org"),
        ContentLine(name: "N", value: "Doe;Jane;Mary\\, Ann;;"),
    ])

    @Test func propertiesAreFoundByNameWhateverTheCase() {
        #expect(Self.card.first("email")?.value == "jane@example.com")
        #expect(Self.card.all("EMAIL").map(\.value) == ["jane@example.com", "jane.doe@example.org"])
        #expect(Self.card.text("title") == "Head of Sales, EMEA")
        #expect(Self.card.text("NOTE") == nil)
        #expect(Self.card.structured("N") == ["Doe", "Jane", "Mary, Ann", "", ""])
        #expect(Self.card.structured("ADR") == nil)
    }

    @Test func setTextEscapesAndKeepsGroupAndParametersOfTheFirstProperty() {
        var card = Self.card
        card.setText("TITLE", "Chief; Sales, Marketing\nand more")
        let title = card.properties[1]
        #expect(title.group == "item1")
        #expect(title.parameters == [.init(name: "LANGUAGE", values: ["en"])])
        #expect(title.value == "Chief\\; Sales\\, Marketing\\nand more")
        #expect(card.text("TITLE") == "Chief; Sales, Marketing\nand more")
        #expect(card.properties.count == Self.card.properties.count)

        card.setText("NOTE", "new")
        #expect(card.properties.last == ContentLine(name: "NOTE", value: "new"))
        card.setText("EMAIL", nil)
        #expect(card.all("EMAIL").isEmpty)
        #expect(card.first("X-ABLABEL")?.group == "item1")
    }

    @Test func setStructuredEscapesEachComponent() {
        var card = Self.card
        card.setStructured("ORG", ["ACME; Europe", "Sales, Inside"])
        #expect(card.first("ORG")?.value == "ACME\\; Europe;Sales\\, Inside")
        #expect(card.structured("ORG") == ["ACME; Europe", "Sales, Inside"])
        card.setStructured("N", nil)
        #expect(card.first("N") == nil)
    }

    @Test func uidReadsAndWritesTheUIDProperty() {
        var card = Self.card
        #expect(card.uid == nil)
        card.uid = "urn:uuid:4fbe8971-0bc3-424c-9c26-36c3e1eff6b1"
        #expect(card.first("UID")?.value == "urn:uuid:4fbe8971-0bc3-424c-9c26-36c3e1eff6b1")
        card.uid = nil
        #expect(card.first("UID") == nil)
    }

    @Test func cardsAreEqualWhateverLinesTheirPropertiesWereReadFrom() throws {
        let one = try VCardReader.read("BEGIN:VCARD\nVERSION:4.0\nFN:Jane\nEND:VCARD\n")
        let other = try VCardReader.read("\n\nBEGIN:VCARD\nVERSION:3.0\nfn:Jane\nEND:VCARD\n")
        #expect(one == other)
        #expect(one[0] == VCard(properties: [ContentLine(name: "FN", value: "Jane")]))
        #expect(one[0] != VCard(properties: [ContentLine(name: "FN", value: "John")]))
    }
}

/// What the vCard codec needs from the content-line layer beyond `ContentLineTests`.
@Suite struct VCardContentLineTests {
    @Test func crCRLFIsOneLineBreakSoFoldedLinesStillUnfold() throws {
        let lines = try ContentLineReader.read("BEGIN:VCARD\r\r\nNOTE:one\r\r\n  two\r\r\nEND:VCARD\r\r\n")
        #expect(lines.map(\.name) == ["BEGIN", "NOTE", "END"])
        #expect(lines[1].value == "one two")
        #expect(lines[2].line == 4)
    }

    @Test func aFoldBeforeACombiningMarkUnfoldsAndAValueMayStartWithOne() throws {
        let value = "\u{301}" + String(repeating: "e\u{301}", count: 60)
        let line = ContentLine(name: "NOTE", parameters: [.init(name: "X", values: ["\u{302}"])], value: value)
        let written = ContentLineWriter.write(line)
        let again = try #require(try ContentLineReader.read(written).first)
        #expect(again.value == value)
        #expect(again.parameterValue("X") == "\u{302}")
    }

    @Test func escapesAndSeparatorsFollowedByACombiningMarkStillCount() {
        let text = ";\u{301}a,\u{301}\n\u{301}\\\u{301}"
        #expect(Array(TextValue.escape(text).unicodeScalars)
            == Array("\\;\u{301}a\\,\u{301}\\n\u{301}\\\\\u{301}".unicodeScalars))
        #expect(TextValue.unescape(TextValue.escape(text)) == text)
        #expect(TextValue.split("a;\u{301}b\\;\u{301}c", on: ";") == ["a", "\u{301}b\\;\u{301}c"])
    }

    @Test func aQuotedPrintableSoftBreakKeepsTheSpaceThatStartsTheNextLine() throws {
        let lines = try ContentLineReader.read("NOTE;ENCODING=QUOTED-PRINTABLE:one=\n two\nFN:X\n")
        #expect(lines.map(\.value) == ["one two", "X"])
    }

    @Test func namesAreWrittenAsSpeltAndQuotedParametersQuotedAgainButNeitherCountsForEquality() throws {
        let read = try #require(try ContentLineReader.read("item1.X-ABLabel;X-Id=\"abc\";type=work:Büro\n").first)
        #expect(read.name == "X-ABLABEL")
        #expect(read.spelling == "X-ABLabel")
        #expect(ContentLineWriter.write(read) == "item1.X-ABLabel;X-ID=\"abc\";TYPE=work:Büro\r\n")
        let made = ContentLine(group: "item1", name: "X-ABLABEL", parameters: [
            .init(name: "X-ID", values: ["abc"]), .init(name: "TYPE", values: ["work"]),
        ], value: "Büro", line: 1)
        #expect(read == made)
        #expect(ContentLineWriter.write(made) == "item1.X-ABLABEL;X-ID=abc;TYPE=work:Büro\r\n")
        var renamed = read
        renamed.name = "NOTE"
        #expect(ContentLineWriter.write(renamed).hasPrefix("item1.NOTE;"))
    }
}
