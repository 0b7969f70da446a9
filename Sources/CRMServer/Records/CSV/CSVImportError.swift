/// A CSV file that cannot be imported at all (as opposed to single rows that are rejected): what is wrong and
/// where, so the person who made the file can fix it. The command exits with 2 and the API answers 400.
public struct CSVImportError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable {
        /// The bytes are not UTF-8 (with or without a byte order mark).
        case notUTF8
        /// The file has no header line.
        case empty
        /// A header names no field of the type (and no `--map` names it).
        case unknownColumn
        /// Two columns would fill the same field.
        case duplicateColumn
        /// A `--map column=field` names a column the header lacks, or a field the type lacks.
        case badMapping
        /// The file cannot be opened or read.
        case unreadable
    }

    public var code: Code
    public var message: String
    /// The line of the file the problem is on (the header is line 1), when there is one.
    public var line: Int?
    /// The column concerned, as the header names it.
    public var column: String?

    public init(_ code: Code, _ message: String, line: Int? = nil, column: String? = nil) {
        self.code = code
        self.message = message
        self.line = line
        self.column = column
    }

    public var description: String { line.map { "line \($0): \(message)" } ?? message }

    static func notUTF8(line: Int) -> CSVImportError {
        CSVImportError(
            .notUTF8, "the file is not UTF-8 text; save it as CSV UTF-8 (with or without a byte order mark)",
            line: line)
    }
}
