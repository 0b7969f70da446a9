import Foundation

/// Reads vCard 2.1, 3.0 and 4.0 files into `VCard`s normalized to the 4.0 form (see `VCard.properties`).
public enum VCardReader {
    /// Every vCard in the text (a file may hold several). A card without END:VCARD, a property outside
    /// BEGIN/END, or a broken line is a PIMFormatError naming the line.
    public static func read(_ text: String) throws(PIMFormatError) -> [VCard] {
        try read(text, fileCharset: .utf8)
    }

    /// The same from bytes: UTF-8 (with or without BOM), UTF-16 with BOM, else Windows-1252/ISO-8859-1.
    public static func read(data: Data) throws(PIMFormatError) -> [VCard] {
        let (text, charset) = VCardCharset.decodeFile(data)
        return try read(text, fileCharset: charset)
    }

    /// A card being read: where it began, its version and its properties so far.
    private struct OpenCard {
        var beginLine: Int
        var version: String?
        var properties: [ContentLine] = []
        /// The lines of a vCard 2.1 AGENT card nested in this one, and how deep inside it the reader is.
        var agentLines: [ContentLine] = []
        var agentDepth = 0
    }

    static func read(_ text: String, fileCharset: VCardCharset) throws(PIMFormatError) -> [VCard] {
        var text = text
        if text.unicodeScalars.first == "\u{FEFF}" { text.unicodeScalars.removeFirst() }
        let lines = try ContentLineReader.read(joiningBase64Continuations(text))
        var cards: [VCard] = []
        var open: OpenCard?
        for line in lines {
            let keyword = line.value.trimmingSpaces().uppercased()
            let isBegin = line.name == "BEGIN" && keyword == "VCARD"
            let isEnd = line.name == "END" && keyword == "VCARD"
            guard var card = open else {
                guard isBegin else {
                    throw PIMFormatError(
                        line: line.line,
                        isEnd ? "END:VCARD without a BEGIN:VCARD before it"
                            : "\(line.name) is outside BEGIN:VCARD ... END:VCARD")
                }
                open = OpenCard(beginLine: line.line)
                continue
            }
            if card.agentDepth > 0 {
                // Inside a 2.1 AGENT card: kept as text, the value of the AGENT property (3.0 form).
                card.agentLines.append(line)
                if isBegin { card.agentDepth += 1 }
                if isEnd { card.agentDepth -= 1 }
                if card.agentDepth == 0 {
                    let nested = ContentLineWriter.write(card.agentLines)
                    card.properties[card.properties.count - 1].value = TextValue.escape(nested)
                    card.agentLines = []
                }
                open = card
                continue
            }
            if isBegin {
                guard let last = card.properties.last, last.name == "AGENT", last.value.isEmpty else {
                    throw PIMFormatError(
                        line: card.beginLine,
                        "the vCard that begins here has no END:VCARD (a new BEGIN:VCARD follows on line \(line.line))")
                }
                card.agentLines = [line]
                card.agentDepth = 1
                open = card
                continue
            }
            if isEnd {
                cards.append(VCard(properties: card.properties.map {
                    VCardNormalizer.normalize($0, version: card.version, fileCharset: fileCharset)
                }))
                open = nil
                continue
            }
            if line.name == "END" || line.name == "BEGIN" {
                throw PIMFormatError(line: line.line, "\(line.name):\(line.value) inside a vCard")
            }
            if line.name == "VERSION" {
                card.version = card.version ?? line.value
            } else {
                card.properties.append(line)
            }
            open = card
        }
        if let open {
            throw PIMFormatError(line: open.beginLine, "the vCard that begins here has no END:VCARD")
        }
        return cards
    }

    /// vCard 2.1 lets a base64 value go on over the following lines without the leading whitespace of folding,
    /// up to a blank line. Those lines get a leading space here, so that the content-line reader unfolds them;
    /// the line count is unchanged, so errors still name the right line.
    ///
    /// A continuation is a line of base64 characters only (no `:`, so never a property) after a line whose
    /// parameters say BASE64 or `ENCODING=B`; a blank line or any other line ends it.
    static func joiningBase64Continuations(_ text: String) -> String {
        guard text.range(of: "BASE64", options: .caseInsensitive) != nil
            || text.range(of: "ENCODING=B", options: .caseInsensitive) != nil
        else { return text }
        var result: [String] = []
        var inBase64 = false
        for physical in ContentLineReader.splitLines(text) {
            if physical.isEmpty || physical.allSatisfy({ $0 == " " || $0 == "\t" }) {
                inBase64 = false
            } else if physical.unicodeScalars.first == " " || physical.unicodeScalars.first == "\t" {
                // Folded the usual way: the content-line reader unfolds it.
            } else if inBase64, physical.unicodeScalars.allSatisfy(isBase64) {
                result.append(" " + physical)
                continue
            } else {
                inBase64 = declaresBase64(physical)
            }
            result.append(physical)
        }
        return result.joined(separator: "\n")
    }

    private static func isBase64(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "A"..."Z", "a"..."z", "0"..."9", "+", "/", "=", " ", "\t": true
        default: false
        }
    }

    private static func declaresBase64(_ line: String) -> Bool {
        guard let colon = line.unicodeScalars.firstIndex(of: ":") else { return false }
        let parameters = String(line.unicodeScalars[..<colon]).uppercased().split(separator: ";").dropFirst()
        return parameters.contains { $0 == "BASE64" || $0 == "ENCODING=BASE64" || $0 == "ENCODING=B" }
    }
}
