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
    /// Emails that mail tracking shared in this sync, and those it could not read.
    public var mailShared: Int?
    public var mailUnreadable: Int?
    /// Attachment files sent to and brought from the server.
    public var files: FileTransfers?
    /// A push-only sync (`sync --push-only`): what it left for a full sync, in words.
    public var leftForFullSync: String?
    /// Types this sync passed over, their `syncEvery` not come round (a later sync brings their changes).
    public var deferred: [String]?

    public init(
        startedAt: Date, endedAt: Date, outcome: Outcome, counts: SyncCounts, session: String? = nil,
        message: String? = nil, installedPackage: Int? = nil, pim: PIMReport? = nil, mailShared: Int? = nil,
        mailUnreadable: Int? = nil, files: FileTransfers? = nil, leftForFullSync: String? = nil, deferred: [String]? = nil
    ) {
        self.deferred = deferred
        self.leftForFullSync = leftForFullSync
        self.mailShared = mailShared
        self.mailUnreadable = mailUnreadable
        self.files = files
        self.startedAt = startedAt
        self.endedAt = endedAt
        self.outcome = outcome
        self.counts = counts
        self.session = session
        self.message = message
        self.installedPackage = installedPackage
        self.pim = pim
    }

    /// The one-line receipt: `pulled 120, pushed 3 (applied 2, merged 1, conflicts 0, rejected 0) in 0.8 s`,
    /// then what the PIM, mail and file transfers did and, after a push-only sync, what waits for a full one.
    public var line: String {
        let seconds = String(format: "%.1f", endedAt.timeIntervalSince(startedAt))
        var text = "\(outcome.rawValue): pulled \(counts.pulled), pushed \(counts.pushed) (applied \(counts.applied), "
            + "merged \(counts.merged), conflicts \(counts.conflicts), rejected \(counts.rejected)) in \(seconds) s"
        if let pim { text += "; " + pim.line }
        if let mailShared { text += "; mail: shared \(mailShared)" + (mailUnreadable.map { $0 > 0 ? ", \($0) not readable" : "" } ?? "") }
        if let files, !files.isEmpty { text += "; " + files.line }
        if let leftForFullSync { text += "; push only: " + leftForFullSync }
        if let deferred, !deferred.isEmpty { text += "; not checked yet: " + deferred.joined(separator: ", ") }
        if let message { text += " - \(message)" }
        return text
    }
}


/// Attachment content moved by one sync: uploaded before the ops that list it, downloaded for the records held.
public struct FileTransfers: Codable, Sendable, Equatable {
    public var uploaded = 0
    public var downloaded = 0
    /// Files that could not be moved (they are tried again by the next sync), each with why.
    public var failed: [String] = []

    public init(uploaded: Int = 0, downloaded: Int = 0, failed: [String] = []) {
        self.uploaded = uploaded
        self.downloaded = downloaded
        self.failed = failed
    }

    public var isEmpty: Bool { uploaded == 0 && downloaded == 0 && failed.isEmpty }

    public var line: String {
        "files: sent \(uploaded), received \(downloaded)" + (failed.isEmpty ? "" : ", \(failed.count) not moved")
    }
}
