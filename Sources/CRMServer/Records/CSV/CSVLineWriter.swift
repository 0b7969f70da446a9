/// Writes CSV as RFC 4180 has it: fields separated by commas, lines ended by CRLF, and a field quoted (its
/// quotes doubled) exactly when it holds a comma, a quote, a CR or an LF. Reading is CSV.swift's job
/// (`CSVRowReader`); writing is this small enough to keep here.
public enum CSVLineWriter {
    /// One line of `fields`, CRLF included.
    public static func line(_ fields: [String]) -> String {
        var line = ""
        for (index, field) in fields.enumerated() {
            if index > 0 { line += "," }
            line += quoted(field)
        }
        return line + "\r\n"
    }

    /// `field` as it goes into a line: as it is, or in quotes with its quotes doubled.
    public static func quoted(_ field: String) -> String {
        guard field.utf8.contains(where: { $0 == 0x2C || $0 == 0x22 || $0 == 0x0D || $0 == 0x0A }) else {
            return field
        }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
