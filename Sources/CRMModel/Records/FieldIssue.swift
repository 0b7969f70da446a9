/// One reason a record write was refused, naming the field, so that a form can show it beside the input.
public struct FieldIssue: Codable, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Codable, Sendable {
        case unknownField = "unknown-field"
        case readOnly = "read-only"
        case required
        case wrongKind = "wrong-kind"
        case notInList = "not-in-list"
        case tooLong = "too-long"
        case outOfRange = "out-of-range"
        case badFormat = "bad-format"
        case rule
        case reference
    }

    public var field: String
    public var code: Code
    public var message: String

    public init(field: String, code: Code, message: String) {
        self.field = field
        self.code = code
        self.message = message
    }

    public var description: String { "\(field): \(message)" }
}
