/// The content lines of an iCalendar text: `ContentLineReader`'s unfolding and splitting, plus one thing calendar
/// programs do that RFC 5545 does not allow: a backslash escape inside an unquoted parameter value. Apple writes
/// `X-APPLE-STRUCTURED-LOCATION;X-TITLE=Hauptstraße 1-5\; 4041 Linz;X-APPLE-RADIUS=70:geo:...`; split on every
/// `;`, the title would lose its second half to a bogus parameter. Here a backslash keeps the character after it
/// in the value (`Hauptstraße 1-5\; 4041 Linz`), which the writer then quotes. And some Exchange versions write
/// a display name as an unquoted TZID, `TZID=(UTC+01:00) Amsterdam, Berlin, ...:20240115T100000`: a `:` inside
/// parentheses does not end the parameters, and such a TZID is one name (written back quoted, as RFC 5545 wants).
enum ICalLineReader {
    static func read(_ text: String) throws(PIMFormatError) -> [ContentLine] {
        var result: [ContentLine] = []
        var current: String?
        var currentLine = 0
        var number = 0
        for physical in ContentLineReader.splitLines(text) {
            number += 1
            // By scalar, not Character: folding is by octets, so a continuation may start with a combining mark,
            // which would make one Character of the space and the mark (as in `ContentLineReader`).
            if let first = physical.unicodeScalars.first, first == " " || first == "\t", current != nil {
                current!.unicodeScalars += physical.unicodeScalars.dropFirst()
                continue
            }
            if let logical = current, !logical.isEmpty { result.append(try parse(logical, line: currentLine)) }
            current = nil
            if physical.allSatisfy({ $0 == " " || $0 == "\t" }) { continue }
            current = physical
            currentLine = number
        }
        if let logical = current, !logical.isEmpty { result.append(try parse(logical, line: currentLine)) }
        return result
    }

    /// One logical line; the shared parser unless it has parameters and a backslash or a parenthesis somewhere.
    static func parse(_ text: String, line: Int) throws(PIMFormatError) -> ContentLine {
        guard text.contains(";"), text.contains("\\") || text.contains("(") else {
            return try ContentLineReader.parse(text, line: line)
        }
        do {
            return try parseEscapedParameters(text, line: line)
        } catch {
            // An unclosed parenthesis, say: read it as everyone else does.
            return try ContentLineReader.parse(text, line: line)
        }
    }

    private static func parseEscapedParameters(_ text: String, line: Int) throws(PIMFormatError) -> ContentLine {
        // Scalars, not Characters: a delimiter followed by a combining mark is one Character and would not be seen.
        let characters = Array(text.unicodeScalars)
        func string(_ scalars: ArraySlice<Unicode.Scalar>) -> String {
            var result = ""
            result.unicodeScalars.append(contentsOf: scalars)
            return result
        }
        var index = 0
        while index < characters.count, characters[index] != ";", characters[index] != ":" { index += 1 }
        // The name has no backslash (it comes after the first ';'), so the shared parser checks it.
        let head = try ContentLineReader.parse(string(characters[0..<index]) + ":", line: line)
        var parameters: [ContentLine.Parameter] = []
        while index < characters.count, characters[index] == ";" {
            index += 1
            var name = ""
            while index < characters.count, !"=;:".unicodeScalars.contains(characters[index]) {
                name.unicodeScalars.append(characters[index])
                index += 1
            }
            var values: [String] = []
            if index < characters.count, characters[index] == "=" {
                index += 1
                while true {
                    var value = ""
                    if index < characters.count, characters[index] == "\"" {
                        index += 1
                        while index < characters.count, characters[index] != "\"" {
                            value.unicodeScalars.append(characters[index])
                            index += 1
                        }
                        guard index < characters.count else {
                            throw PIMFormatError(line: line, "a quoted value of parameter \(name) is not closed")
                        }
                        index += 1
                    } else {
                        var depth = 0
                        while index < characters.count, depth > 0 || !",;:".unicodeScalars.contains(characters[index]) {
                            switch characters[index] {
                            case "\\" where index + 1 < characters.count:
                                value.unicodeScalars.append(characters[index])
                                index += 1
                            case "(": depth += 1
                            case ")": depth = max(depth - 1, 0)
                            default: break
                            }
                            value.unicodeScalars.append(characters[index])
                            index += 1
                        }
                    }
                    values.append(value)
                    guard index < characters.count, characters[index] == "," else { break }
                    index += 1
                }
            }
            let trimmed = name.trimmingSpaces()
            if trimmed.uppercased() == "TZID", values.count > 1, values.contains(where: { $0.contains(":") }) {
                values = [values.joined(separator: ",")]
            }
            if !trimmed.isEmpty { parameters.append(ContentLine.Parameter(name: trimmed, values: values)) }
        }
        guard index < characters.count, characters[index] == ":" else {
            throw PIMFormatError(line: line, "the property \(head.name) has no ':' after its parameters")
        }
        return ContentLine(
            group: head.group,
            name: head.name,
            parameters: parameters,
            value: string(characters[(index + 1)...]),
            line: line
        )
    }
}
