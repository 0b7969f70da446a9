import CRMModel
import CRMSyncProtocol
import Foundation

/// A change the user made on this desktop that the server has not confirmed yet.
///
/// Ops wait in the outbox in the order they were made. A pending op goes out with the next sync; a failed one
/// (refused by the server, held behind a refused one, or no longer valid under a new package) stays, visible
/// and editable, until the user fixes it (`retry`, or an edit of the record) or discards it. Nothing the user
/// typed leaves the outbox without an answer from the server or an explicit discard.
public struct OutboxOp: Sendable, Equatable {
    public enum State: String, Sendable, Codable {
        case pending
        case failed
    }

    /// The op's place in the outbox (ascending in the order made).
    public var seq: Int64
    public var op: SyncOp
    public var state: State
    /// Whether the op went out in a push at least once: its op id is then the server's, and the op is not
    /// changed any more (a changed op with the same id would be answered with the first answer).
    public var sent: Bool
    /// Why the op failed, when it did.
    public var failure: OpFailure?

    public init(seq: Int64, op: SyncOp, state: State = .pending, sent: Bool = false, failure: OpFailure? = nil) {
        self.seq = seq
        self.op = op
        self.state = state
        self.sent = sent
        self.failure = failure
    }
}

/// Why an op failed: the server's message and field-level issues, or the desktop's own reason.
public struct OpFailure: Codable, Sendable, Equatable {
    public var message: String
    public var issues: [FieldIssue]
    /// The existing record a create matched (duplicate rule); `retry --insist` creates it anyway.
    public var existing: String?
    /// The op this one waited for.
    public var heldBy: String?

    public init(message: String, issues: [FieldIssue] = [], existing: String? = nil, heldBy: String? = nil) {
        self.message = message
        self.issues = issues
        self.existing = existing
        self.heldBy = heldBy
    }
}
