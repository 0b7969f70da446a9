/// How a command prints records: `--format table|json|csv`.
public enum OutputFormat: String, CaseIterable, Sendable {
    /// Aligned columns for people.
    case table
    /// The records' JSON, for scripts (written by the caller: records are JSON already).
    case json
    /// RFC 4180 comma-separated values, for spreadsheets.
    case csv
}

/// Rows of cells under column labels, rendered as an aligned table for a terminal or as CSV for a spreadsheet.
///
/// Rows shorter than the header are padded with empty cells and longer ones cut, so every row has one cell per
/// column. JSON is not rendered here: records travel as JSON already, and the caller writes them as they are.
public struct RecordTable: Sendable {
    /// The widest a table cell is, in characters; longer text ends in "…".
    public static let maxCellWidth = 40

    /// The column labels.
    public let headers: [String]
    /// The cells, one array per row, one string per column.
    public let rows: [[String]]

    /// A table with `headers` as column labels and `rows` of cells.
    public init(headers: [String], rows: [[String]]) {
        self.headers = headers
        self.rows = rows.map { row in
            row.count >= headers.count
                ? Array(row.prefix(headers.count)) : row + Array(repeating: "", count: headers.count - row.count)
        }
    }

    /// Aligned columns two spaces apart under a line of "-", one line per row, each ending in "\n".
    ///
    /// Line breaks and tabs inside a cell become spaces and cells are cut to `maxCellWidth`. Widths are counted
    /// in Characters, so a character a terminal draws two columns wide (CJK, most emoji) shifts its row.
    public func table() -> String {
        let headerCells = headers.map(Self.tableCell)
        let bodyCells = rows.map { $0.map(Self.tableCell) }
        let widths = headerCells.indices.map { column in
            ([headerCells[column]] + bodyCells.map { $0[column] }).map { max($0.count, 1) }.max() ?? 1
        }
        func line(_ cells: [String]) -> String {
            let padded = cells.enumerated().map { column, cell in
                cell + String(repeating: " ", count: widths[column] - cell.count)
            }
            var text = padded.joined(separator: "  ")
            while text.last == " " { text.removeLast() }
            return text + "\n"
        }
        let underline = widths.map { String(repeating: "-", count: $0) }
        return ([line(headerCells), line(underline)] + bodyCells.map(line)).joined()
    }

    /// RFC 4180 CSV: the header line, then one line per row, every line ending in "\r\n".
    ///
    /// A field holding a comma, a double quote, CR or LF is put in double quotes, its double quotes doubled.
    public func csv() -> String {
        ([headers] + rows).map { $0.map(Self.csvField).joined(separator: ",") + "\r\n" }.joined()
    }

    /// `text` on one line and at most `maxCellWidth` characters.
    static func tableCell(_ text: String) -> String {
        let flat = String(text.map { $0.isNewline || $0 == "\t" ? " " : $0 })
        guard flat.count > maxCellWidth else { return flat }
        return String(flat.prefix(maxCellWidth - 1)) + "…"
    }

    /// `text` as one CSV field, quoted when it must be.
    static func csvField(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0.isNewline }) else { return text }
        return "\"" + String(text.flatMap { $0 == "\"" ? "\"\"" : String($0) }) + "\""
    }
}
