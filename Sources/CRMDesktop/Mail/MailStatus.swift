/// Email sharing as `status` and `mail status` show it: the tracked folders, the emails shared lately and the
/// messages that could not be read.
public struct MailStatus: Sendable, Codable, Equatable {
    public var shareFolder: String?
    public var folders: [String]
    public var sharedCount: Int
    public var recent: [MailShare]
    public var problems: [MailProblem]

    /// The lines of `status`: a summary, then the problems (`brief`), or every recent share too.
    public func lines(brief: Bool = false) -> [String] {
        var tracked: [String] = []
        if let shareFolder { tracked.append("\(shareFolder) (all)") }
        tracked += folders.map { "\($0) (correspondence)" }
        var lines = [
            "Mail:       \(sharedCount) emails shared; tracking " + (tracked.isEmpty ? "no folder" : tracked.joined(separator: ", "))
        ]
        if !brief {
            for share in recent {
                lines.append("  \(share.sharedAt) \(share.direction) \"\(share.subject)\" -> \(share.recordID) (\(share.source))")
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
    public func mailStatus(limit: Int = 20) throws -> MailStatus {
        MailStatus(
            shareFolder: settings.mailShareFolder, folders: settings.mailFolders ?? [],
            sharedCount: try replica.mailShareCount(), recent: try replica.mailShares(limit: limit),
            problems: try replica.mailProblems())
    }
}
