/// A message that cannot be read at all: why, and the line of the message where the problem is, so a user can
/// find it. Problems the reader can work around are `MailMessage.warnings` instead.
public struct MailFormatError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Reason: Sendable, Equatable {
        /// The input is larger than `MailReader.maxBytes`; nothing was parsed.
        case tooLarge(limit: Int, size: Int)
        /// The input is empty, binary, or its first line is not a header field: not an email message.
        case noHeaders
        /// A multipart section whose boundary never occurs in its body: its parts cannot be found.
        case missingBoundary(boundary: String)
        /// Multipart sections nested deeper than `MailReader.maxDepth`.
        case nestingTooDeep(limit: Int)
    }

    public var reason: Reason
    /// The 1-based line of the message where the problem is, when it concerns a place.
    public var line: Int?

    public init(_ reason: Reason, line: Int? = nil) {
        self.reason = reason
        self.line = line
    }

    /// A sentence a user understands, naming the line.
    public var description: String {
        let place = line.map { "Line \($0)" } ?? "The message"
        switch reason {
        case .tooLarge(let limit, let size):
            return "The message is \(size) bytes, more than the limit of \(limit) bytes, so it was not read."
        case .noHeaders:
            guard let line else { return "The message is empty: it has no header section, so it is not an email." }
            return "Line \(line) is not a header field (\"Name: value\"): this is not an email message, or its "
                + "header section is missing."
        case .missingBoundary(let boundary):
            return "\(place): the multipart section declared here separates its parts with the boundary "
                + "\"\(boundary)\", which never occurs in its body, so its parts cannot be found."
        case .nestingTooDeep(let limit):
            return "\(place): multipart sections are nested more than \(limit) deep here; the message was not read."
        }
    }
}
