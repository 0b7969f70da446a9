import PIMFormats
import Testing

@Suite struct ContentLineTests {
    @Test func foldedLinesUnfoldAndParametersKeepTheirQuotedValues() throws {
        let text = "BEGIN:VCARD\r\nitem1.EMAIL;TYPE=work,pref;X-LABEL=\"a:b;c\":jane@\r\n example.com\r\nEND:VCARD\r\n"
        let lines = try ContentLineReader.read(text)
        #expect(lines.count == 3)
        let email = lines[1]
        #expect(email.group == "item1")
        #expect(email.name == "EMAIL")
        #expect(email.value == "jane@example.com")
        #expect(email.parameter("TYPE") == ["work", "pref"])
        #expect(email.parameterValue("x-label") == "a:b;c")
        #expect(email.types == ["work", "pref"])
        #expect(email.line == 2)
    }

    @Test func vCard21BareTypesAndQuotedPrintableSoftBreaksAreRead() throws {
        let text = "TEL;WORK;VOICE:+1 555\nNOTE;ENCODING=QUOTED-PRINTABLE:first=\nsecond\nFN:X\n"
        let lines = try ContentLineReader.read(text)
        #expect(lines.map(\.name) == ["TEL", "NOTE", "FN"])
        #expect(lines[0].types == ["work", "voice"])
        #expect(lines[1].value == "firstsecond")
    }

    @Test func aLineWithoutAColonIsAnErrorNamingItsLine() {
        #expect(throws: PIMFormatError(line: 2, "'garbage' is not a property: it has no ':'")) {
            try ContentLineReader.read("BEGIN:VCARD\ngarbage\nEND:VCARD\n")
        }
    }

    @Test func writingFoldsAt75OctetsWithoutSplittingACharacter() throws {
        let value = String(repeating: "é", count: 60)
        let written = ContentLineWriter.write(ContentLine(name: "NOTE", value: value))
        for physical in written.split(separator: "\r\n", omittingEmptySubsequences: true) {
            #expect(physical.utf8.count <= 75)
        }
        #expect(try ContentLineReader.read(written).first?.value == value)
    }

    @Test func textEscapesRoundTripAndStructuredValuesSplitOnUnescapedSeparators() {
        let text = "Smith\\, Jr.;Jane;;Dr.;"
        #expect(TextValue.split(text, on: ";").map(TextValue.unescape) == ["Smith, Jr.", "Jane", "", "Dr.", ""])
        let note = "line one\nline, two; and \\ three"
        #expect(TextValue.unescape(TextValue.escape(note)) == note)
    }
}
