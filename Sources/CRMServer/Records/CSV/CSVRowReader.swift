import CSV
import Foundation

/// Reads a CSV file row by row through CSV.swift (RFC 4180 quoting, line breaks inside quoted fields, CRLF or
/// LF, a UTF-8 byte order mark skipped), keeping the line each row starts on so reports can name it. Only one
/// row is held at a time. Blank lines are skipped; bytes that are not UTF-8 stop the reading with an error
/// naming the line.
final class CSVRowReader {
    private let reader: CSVReader
    /// The header's cells.
    let header: [String]
    /// The line the next row starts on (the header is line 1).
    private var nextLine = 1

    init(stream: InputStream) throws(CSVImportError) {
        let reader: CSVReader
        do {
            reader = try CSVReader(stream: stream, hasHeaderRow: false)
        } catch {
            throw CSVImportError(.unreadable, "the file cannot be read (\(error))")
        }
        guard let first = try Self.read(reader, line: 1), !(first.count == 1 && first[0].isEmpty) else {
            throw CSVImportError(.empty, "the file is empty: the first line names the columns")
        }
        self.reader = reader
        self.header = first
        self.nextLine = 2 + Self.lineBreaks(in: first)
    }

    /// The next row that is not blank, with the line it starts on; nil at the end of the file.
    func next() throws(CSVImportError) -> (line: Int, cells: [String])? {
        while true {
            let line = nextLine
            guard let cells = try Self.read(reader, line: line) else { return nil }
            nextLine += 1 + Self.lineBreaks(in: cells)
            if cells.count == 1 && cells[0].isEmpty { continue }
            return (line, cells)
        }
    }

    private static func read(_ reader: CSVReader, line: Int) throws(CSVImportError) -> [String]? {
        let row = reader.next()
        switch reader.error {
        case nil: break
        // What CSV.swift reports at the end of a file stream (whose `hasBytesAvailable` stays true on Linux):
        // the row it read is whole, and the next read gives nothing.
        case CSVError.cannotReadFile?: break
        case CSVError.unicodeDecoding?: throw CSVImportError.notUTF8(line: line)
        case let error?: throw CSVImportError(.unreadable, "the file cannot be read (\(error))", line: line)
        }
        // A UTF-16 file read as UTF-8 is mostly NUL bytes; no CSV text holds them.
        if let row, row.contains(where: { $0.utf8.contains(0) }) { throw CSVImportError.notUTF8(line: line) }
        return row
    }

    /// Line breaks inside quoted cells (CRLF, LF or a lone CR each count once).
    private static func lineBreaks(in cells: [String]) -> Int {
        var count = 0
        for cell in cells {
            var previous: UInt8 = 0
            for byte in cell.utf8 {
                if byte == 0x0A, previous != 0x0D { count += 1 }
                if byte == 0x0D { count += 1 }
                previous = byte
            }
        }
        return count
    }
}
