import CRMStore

/// Why `crm-server copy` stopped: what it found and what to do about it.
public struct InstallationCopyError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: Sendable, Equatable {
        /// The target already holds data; nothing was written.
        case targetNotEmpty
        /// Source and target differ after the copy.
        case mismatch
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    static func targetNotEmpty(_ counts: InstallationCounts) -> InstallationCopyError {
        InstallationCopyError(
            .targetNotEmpty,
            "the target is not empty (it holds \(counts)): copy into a new, empty database")
    }

    public var description: String { message }
}
