/// A vCard or iCalendar file that cannot be read: where (line) and why, so a user can find the item and the
/// place in it.
public struct PIMFormatError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The 1-based line of the file (0 when it concerns the whole file).
    public var line: Int
    public var message: String

    public init(line: Int, _ message: String) {
        self.line = line
        self.message = message
    }

    public var description: String { line > 0 ? "line \(line): \(message)" : message }
}
