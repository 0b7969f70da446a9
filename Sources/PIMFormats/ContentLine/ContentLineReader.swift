/// Reads the content lines of a vCard or iCalendar file: unfolds continuation lines (CRLF or LF followed by a
/// space or tab), joins vCard 2.1 quoted-printable soft line breaks, and splits each logical line into group,
/// name, parameters (quoted values honoured) and raw value.
public enum ContentLineReader {
    /// The content lines of `text`, in order; blank lines are skipped. A line without a `:` or with an empty
    /// name is an error naming its line number.
    public static func read(_ text: String) throws(PIMFormatError) -> [ContentLine] {
        var result: [ContentLine] = []
        var current: String?
        var currentLine = 0
        var quotedPrintable = false
        var number = 0
        func flush() throws(PIMFormatError) {
            if let logical = current, !logical.isEmpty {
                result.append(try parse(logical, line: currentLine))
            }
            current = nil
        }
        for physical in splitLines(text) {
            number += 1
            if quotedPrintable, current != nil, current!.hasSuffix("=") {
                // A quoted-printable soft line break: the next physical line continues the value as it is (a
                // leading space included: it belongs to the value, it is no folding).
                current!.removeLast()
                current! += physical
                continue
            }
            // By scalar, not Character: a folded line may start with a combining mark (folding is by octets),
            // which would make one Character of the space and the mark.
            if let first = physical.unicodeScalars.first, first == " " || first == "\t", current != nil {
                current!.unicodeScalars += physical.unicodeScalars.dropFirst()
                continue
            }
            try flush()
            if physical.allSatisfy({ $0 == " " || $0 == "\t" }) { continue }
            current = physical
            currentLine = number
            quotedPrintable = isQuotedPrintable(physical)
        }
        try flush()
        return result
    }

    /// Physical lines, split on CRLF, LF or CR; CR CR LF (written by iOS 5 and some Windows tools that turn
    /// each LF of a CRLF file into CRLF once more) is one line break too.
    static func splitLines(_ text: String) -> [String] {
        var lines: [String] = []
        var line = ""
        var previousCR = false
        let scalars = Array(text.unicodeScalars)
        var index = 0
        while index < scalars.count {
            let scalar = scalars[index]
            index += 1
            if scalar == "\r" {
                if index + 1 < scalars.count, scalars[index] == "\r", scalars[index + 1] == "\n" {
                    index += 1  // CR CR LF: skip the second CR, the LF below ends nothing more.
                }
                lines.append(line)
                line = ""
                previousCR = true
                continue
            }
            if scalar == "\n" {
                if !previousCR { lines.append(line) }
                line = ""
                previousCR = false
                continue
            }
            previousCR = false
            line.unicodeScalars.append(scalar)
        }
        if !line.isEmpty { lines.append(line) }
        return lines
    }

    /// Whether a line starts a vCard 2.1 quoted-printable value: an `ENCODING=QUOTED-PRINTABLE` parameter or a
    /// bare `QUOTED-PRINTABLE` one (not the words in another parameter's value, nor a broken line).
    private static func isQuotedPrintable(_ line: String) -> Bool {
        guard line.uppercased().contains("QUOTED-PRINTABLE"),
            let parsed = try? parse(line, line: 0)
        else { return false }
        return parsed.parameters.contains { parameter in
            parameter.values.isEmpty
                ? parameter.name == "QUOTED-PRINTABLE"
                : parameter.name == "ENCODING" && parameter.values.contains { $0.uppercased() == "QUOTED-PRINTABLE" }
        }
    }

    /// Splits one logical line. It works on Unicode scalars, not Characters: a value or a parameter value may
    /// begin with a combining mark, which as a Character would swallow the `:` or `;` before it.
    static func parse(_ logical: String, line: Int) throws(PIMFormatError) -> ContentLine {
        let text = logical.unicodeScalars
        var index = text.startIndex
        // Name (with an optional group) up to ';' or ':'.
        var nameEnd = index
        while nameEnd < text.endIndex, text[nameEnd] != ";", text[nameEnd] != ":" {
            nameEnd = text.index(after: nameEnd)
        }
        guard nameEnd < text.endIndex else {
            throw PIMFormatError(line: line, "'\(String(text.prefix(40)))' is not a property: it has no ':'")
        }
        var fullName = String(text[index..<nameEnd])
        var group: String?
        if let dot = fullName.lastIndex(of: ".") {
            group = String(fullName[..<dot])
            fullName = String(fullName[fullName.index(after: dot)...])
        }
        guard !fullName.isEmpty, fullName.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) else {
            throw PIMFormatError(line: line, "'\(fullName)' is not a property name")
        }
        index = nameEnd
        var parameters: [ContentLine.Parameter] = []
        while index < text.endIndex, text[index] == ";" {
            index = text.index(after: index)
            var nameStop = index
            while nameStop < text.endIndex, !"=;:".unicodeScalars.contains(text[nameStop]) {
                nameStop = text.index(after: nameStop)
            }
            let parameterName = String(text[index..<nameStop]).trimmingSpaces()
            index = nameStop
            var values: [String] = []
            var quoted = false
            if index < text.endIndex, text[index] == "=" {
                index = text.index(after: index)
                while true {
                    var value = ""
                    if index < text.endIndex, text[index] == "\"" {
                        quoted = true
                        index = text.index(after: index)
                        while index < text.endIndex, text[index] != "\"" {
                            value.unicodeScalars.append(text[index])
                            index = text.index(after: index)
                        }
                        guard index < text.endIndex else {
                            throw PIMFormatError(
                                line: line, "a quoted value of parameter \(parameterName) is not closed")
                        }
                        index = text.index(after: index)
                    } else {
                        while index < text.endIndex, !",;:".unicodeScalars.contains(text[index]) {
                            value.unicodeScalars.append(text[index])
                            index = text.index(after: index)
                        }
                    }
                    values.append(value)
                    if index < text.endIndex, text[index] == "," {
                        index = text.index(after: index)
                        continue
                    }
                    break
                }
            }
            if !parameterName.isEmpty {
                var parameter = ContentLine.Parameter(name: parameterName, values: values)
                parameter.quoted = quoted
                parameters.append(parameter)
            }
        }
        guard index < text.endIndex, text[index] == ":" else {
            throw PIMFormatError(line: line, "the property \(fullName) has no ':' after its parameters")
        }
        let value = String(text[text.index(after: index)...])
        var result = ContentLine(group: group, name: fullName, parameters: parameters, value: value, line: line)
        result.spelling = fullName
        return result
    }
}

extension String {
    func trimmingSpaces() -> String {
        var text = Substring(self)
        while text.first == " " || text.first == "\t" { text.removeFirst() }
        while text.last == " " || text.last == "\t" { text.removeLast() }
        return String(text)
    }
}
