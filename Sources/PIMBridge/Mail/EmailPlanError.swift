/// An email that cannot be planned as asked: the user's choice (`--opportunity ID`) does not fit it. The
/// message names the id and says what fits instead.
public struct EmailPlanError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    /// The option the user set wrongly (`--opportunity`).
    public var field: String

    public init(_ message: String, field: String) {
        self.message = message
        self.field = field
    }

    public var description: String { message }
}
