import CRMModel
import CRMSyncProtocol
import Foundation

/// A request the server refuses, with what the user needs to fix it. The HTTP tier maps each kind to its
/// status and the JSON error body in one place (`CRMError+HTTP.swift`).
public struct CRMError: Error, Sendable {
    public enum Kind: Sendable {
        case malformed
        case unauthorized
        case forbidden
        /// The device was revoked: its sessions and refresh tokens are gone; the desktop must be set up again.
        case revoked
        case notFound
        case conflict
        /// The sync cursor cannot be continued: the desktop rebuilds its replica, keeping its outbox (409).
        case reset
        case staleVersion(current: Record)
        case tooLarge
        /// The content's media type is not one the package allows (415).
        case unsupportedMediaType
        /// A resumed upload named another offset than the bytes the server holds of it (409, `Upload-Offset`).
        case uploadOffset(Int64)
        /// A `Range` that starts past the end of content of `size` bytes (416, `Content-Range: bytes */size`).
        case rangeNotSatisfiable(size: Int64)
        case validation([FieldIssue])
        case tooManyAttempts(retryAfter: Int)
        case upgradeRequired
        case unavailable
        /// The server is at its bound of requests served at once (`LoadLimits`): 503 with `Retry-After`, so
        /// clients back off instead of everyone slowing down.
        case overloaded(retryAfter: Int)
        /// The caller sent more requests than the per-user rate allows: 429 with `Retry-After`.
        case rateLimited(retryAfter: Int)
        /// Sync sessions of this filter wait until `until` (quiet hours): 503 with `Retry-After`, code `quiet-hours`.
        case quietHours(until: Date)
        case internalError
    }

    public var kind: Kind
    public var message: String
    public var field: String?

    public init(_ kind: Kind, _ message: String, field: String? = nil) {
        self.kind = kind
        self.message = message
        self.field = field
    }

    public static func notFound(_ what: String) -> CRMError { CRMError(.notFound, "\(what) not found") }

    /// The answer to a request from a revoked device (403, code `revoked`).
    public static func deviceRevoked(_ id: String) -> CRMError {
        CRMError(
            .revoked,
            "the device \(id) was revoked; its data on the desktop must be discarded and the desktop set up again "
                + "(crm-desktop setup)",
            field: "device")
    }

    /// 426 for a desktop speaking a protocol older than the server still serves (the header or a body's
    /// `protocolVersion`); nil when the version is served.
    public static func protocolTooOld(_ version: Int) -> CRMError? {
        guard version < ProtocolVersion.oldestSupported else { return nil }
        return CRMError(
            .upgradeRequired,
            "this desktop speaks protocol \(version); the server needs \(ProtocolVersion.oldestSupported) or newer: "
                + "upgrade crm-desktop")
    }

    public static func validation(_ issues: [FieldIssue]) -> CRMError {
        let summary = issues.map(\.description).joined(separator: "; ")
        return CRMError(.validation(issues), "the record is not valid: \(summary)", field: issues.first?.field)
    }
}

extension CRMError: CustomStringConvertible {
    public var description: String { field.map { "\($0): \(message)" } ?? message }
}
