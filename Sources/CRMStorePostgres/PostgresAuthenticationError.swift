/// The database refused the user or the password. It never holds the password, only whether one was given,
/// so that the executable can name the setting it came from.
public struct PostgresAuthenticationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The user the address names.
    public var user: String
    /// Whether a password was sent (false: the server wants one and none was given).
    public var passwordGiven: Bool
    /// What the server said (PostgreSQL's message names the user, never the password).
    public var serverMessage: String

    public init(user: String, passwordGiven: Bool, serverMessage: String) {
        self.user = user
        self.passwordGiven = passwordGiven
        self.serverMessage = serverMessage
    }

    public var description: String {
        passwordGiven
            ? "the database refused the password for user '\(user)' (\(serverMessage))"
            : "the database asks a password of user '\(user)' and none was given (\(serverMessage))"
    }
}
