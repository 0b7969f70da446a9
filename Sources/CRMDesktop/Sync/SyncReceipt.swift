import CRMSyncProtocol
import Foundation

/// What one sync did, as the user reads it afterwards (`status`, `log`) and as it ends on the terminal.
public struct SyncReceipt: Codable, Sendable, Equatable {
    public enum Outcome: String, Codable, Sendable {
        /// Everything went and came.
        case success
        /// The sync ran, but some ops conflicted or were refused: they wait for the user.
        case partial
        /// The sync stopped (offline, refused, interrupted); what was applied before stays applied.
        case failed
    }

    public var startedAt: Date
    public var endedAt: Date
    public var outcome: Outcome
    public var counts: SyncCounts
    /// The server's session id, when one was opened.
    public var session: String?
    /// Why it failed or was partial, in words.
    public var message: String?
    /// The package installed by this sync, when a new one came.
    public var installedPackage: Int?
    /// What the PIM sync did, when a PIM is chosen.
    public var pim: PIMReport?

    public init(
        startedAt: Date, endedAt: Date, outcome: Outcome, counts: SyncCounts, session: String? = nil,
        message: String? = nil, installedPackage: Int? = nil, pim: PIMReport? = nil
    ) {
        self.startedAt = startedAt
        self.endedAt = endedAt
        self.outcome = outcome
        self.counts = counts
        self.session = session
        self.message = message
        self.installedPackage = installedPackage
        self.pim = pim
    }

    /// The one-line receipt: `pulled 120, pushed 3 (applied 2, merged 1, conflicts 0, rejected 0) in 0.8 s`.
    public var line: String {
        let seconds = String(format: "%.1f", endedAt.timeIntervalSince(startedAt))
        var text = "\(outcome.rawValue): pulled \(counts.pulled), pushed \(counts.pushed) (applied \(counts.applied), "
            + "merged \(counts.merged), conflicts \(counts.conflicts), rejected \(counts.rejected)) in \(seconds) s"
        if let pim { text += "; " + pim.line }
        if let message { text += " - \(message)" }
        return text
    }
}
