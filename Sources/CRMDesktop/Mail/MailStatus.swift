import Foundation

/// Email sharing as `status` and `mail status` show it: the tracked folders, the emails shared lately and the
/// messages that could not be read.
public struct MailStatus: Sendable, Codable, Equatable {
    public var shareFolder: String?
    public var folders: [String]
    public var sharedCount: Int
    public var recent: [MailShare]
    public var problems: [MailProblem]

    /// How many shared emails the brief lines of `status` list.
    public static let briefCount = 3

    /// The lines of `status`: a summary, the last few shares (subject, when, queued or synced) and the problems
    /// (`brief`), or every recent share with its record and file.
    public func lines(brief: Bool = false) -> [String] {
        var tracked: [String] = []
        if let shareFolder { tracked.append("\(shareFolder) (all)") }
        tracked += folders.map { "\($0) (correspondence)" }
        var lines = [
            "Mail:       \(sharedCount) emails shared; tracking " + (tracked.isEmpty ? "no folder" : tracked.joined(separator: ", "))
        ]
        if brief {
            for share in recent.prefix(Self.briefCount) {
                lines.append("  \(share.sharedAt) \"\(share.subject)\" " + (share.queued ? "(queued)" : "(synced)"))
            }
        } else {
            for share in recent {
                lines.append(
                    "  \(share.sharedAt) \(share.direction) \"\(share.subject)\" -> \(share.recordID) (\(share.source))"
                        + (share.queued ? " queued" : " synced"))
            }
        }
        if !problems.isEmpty {
            lines.append("  \(problems.count) not readable (left as they are; fixed files are read again):")
            for problem in problems { lines.append("    \(problem.message)") }
        }
        return lines
    }
}

extension Desktop {
    /// Email sharing's state: the tracked folders, the `limit` emails shared last, and the problems of files
    /// that are still there (those of files gone are forgotten: there is nothing left to fix).
    public func mailStatus(limit: Int = 20) throws -> MailStatus {
        try forgetProblemsOfGoneFiles()
        return MailStatus(
            shareFolder: settings.mailShareFolder, folders: settings.mailFolders ?? [],
            sharedCount: try replica.mailShareCount(), recent: try replica.mailShares(limit: limit),
            problems: try replica.mailProblems())
    }

    /// Drops the problems of message files that no longer exist (deleted, or moved away by the mail program).
    func forgetProblemsOfGoneFiles() throws {
        for problem in try replica.mailProblems() where !FileManager.default.fileExists(atPath: problem.source) {
            try replica.reportMailProblem(nil, source: problem.source)
        }
    }
}
