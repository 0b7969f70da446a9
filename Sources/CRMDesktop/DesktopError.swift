import CRMModel
import Foundation

/// Why a desktop command could not do what it was asked, in words a user can act on.
///
/// Every failure the desktop reports goes through this one type, so the executable maps it to a message and an
/// exit status in one place, and tests can match on `code` rather than on wording.
public struct DesktopError: Error, Sendable, CustomStringConvertible, LocalizedError {
    public enum Code: String, Sendable {
        /// The server could not be reached (connection refused, timed out, name unknown).
        case unreachable
        /// The server answered something that is not a CRM server's answer.
        case badAnswer
        /// The server refused the request with an error body (`serverCode` and `status` say which).
        case refused
        /// The stored refresh token is unknown or expired: the user logs in again (`crm-desktop login`).
        case loginRequired
        /// The server revoked this device.
        case revoked
        /// The server cannot continue from the replica's cursor; the replica is rebuilt.
        case reset
        /// The server needs a newer desktop.
        case upgradeRequired
        /// This home folder has not been set up (`crm-desktop setup`).
        case notSetUp
        /// Another sync holds this home folder's lock.
        case syncRunning
        /// The replica file cannot be read as a replica.
        case damagedReplica
        /// The disk holding the replica is full; nothing was changed.
        case diskFull
        /// A command's input is wrong (a field, a value, a flag); `field` and `issues` say which.
        case invalidInput
        /// No record (or conflict, or op) with that id in this replica.
        case notFound
        /// The record cannot be changed here (incomplete, or read-only for the role).
        case readOnly
        /// The server's package cannot be installed; the old one is kept.
        case incompatiblePackage
        /// Unsent edits stand in the way (setting up again for another server or user).
        case unsentEdits
        /// The user declined (the records a filter brings, a question of the assistant).
        case declined
    }

    public var code: Code
    public var message: String
    /// The field, flag or key the problem concerns.
    public var field: String?
    /// Field by field, for validation failures.
    public var issues: [FieldIssue]
    /// The HTTP status, when the server answered.
    public var status: Int?
    /// The server's error code (`reset`, `revoked`, `validation`, ...), when it sent one.
    public var serverCode: String?
    /// The seconds the server asked to wait before sending again (`Retry-After` of a 503 or 429).
    public var retryAfter: Int?

    public init(
        _ code: Code, _ message: String, field: String? = nil, issues: [FieldIssue] = [], status: Int? = nil,
        serverCode: String? = nil
    ) {
        self.code = code
        self.message = message
        self.field = field
        self.issues = issues
        self.status = status
        self.serverCode = serverCode
    }

    public var errorDescription: String? { description }

    public var description: String {
        guard !issues.isEmpty else { return message }
        return ([message] + issues.map { "  \($0.field): \($0.message)" }).joined(separator: "\n")
    }
}
