import Foundation
import PIMBridge

/// The messages one tracking scan looked at, and what became of each (files seen before are not listed).
public struct MailScanReport: Sendable, Equatable, Codable {
    public var results: [MailShareResult] = []

    public var shared: Int { results.filter { $0.outcome == .shared }.count }
    public var failed: Int { results.filter { $0.outcome == .failed }.count }
}

extension Desktop {
    /// Chooses the maildir folders tracking watches: `shareFolder`, whose every message is shared (the user
    /// moves mail there, like the product's share button), and `folders`, whose messages to or from contacts
    /// who keep their correspondence are shared. Each must be a maildir (with `cur/` and `new/`). What is not
    /// given is kept: a nil `shareFolder` keeps the tracked one, and `folders` are added to those tracked,
    /// unless `replacingFolders` (then they are the whole list; none stops watching correspondence).
    public static func trackMail(
        home: DesktopHome, shareFolder: String?, folders: [String], replacingFolders: Bool = false
    ) throws -> DesktopSettings {
        var settings = try home.settings()
        let absolute = { (path: String) in URL(fileURLWithPath: path).standardizedFileURL.path }
        for folder in [shareFolder].compactMap({ $0 }) + folders { try checkMaildir(absolute(folder)) }
        if let shareFolder { settings.mailShareFolder = absolute(shareFolder) }
        var tracked = replacingFolders ? [] : settings.mailFolders ?? []
        for folder in folders.map(absolute) where !tracked.contains(folder) { tracked.append(folder) }
        settings.mailFolders = tracked.isEmpty ? nil : tracked
        try home.save(settings)
        return settings
    }

    /// Stops tracking: the settings forget the folders; what was shared stays shared.
    public static func untrackMail(home: DesktopHome) throws {
        var settings = try home.settings()
        settings.mailShareFolder = nil
        settings.mailFolders = nil
        try home.save(settings)
    }

    static func checkMaildir(_ folder: String) throws {
        var isFolder: ObjCBool = false
        for sub in ["cur", "new"] {
            let path = (folder as NSString).appendingPathComponent(sub)
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue else {
                throw DesktopError(
                    .invalidInput, "\(folder) is not a maildir folder (it has no \(sub)/ folder)", field: "--maildir")
            }
        }
    }

    /// Whether tracking watches any folder.
    public var tracksMail: Bool { settings.mailShareFolder != nil || !(settings.mailFolders ?? []).isEmpty }

    /// Looks at the messages of the tracked folders that arrived or changed since the last scan: every one of
    /// the share folder is shared, and those of the other folders that concern a contact who keeps their
    /// correspondence. Offline: the records go with the next sync. Files in `tmp/` are still being written
    /// (maildir delivers by renaming into `new/`) and are not read.
    public func scanMail(options: MailShareOptions = MailShareOptions()) throws -> MailScanReport {
        guard tracksMail else { return MailScanReport() }
        try forgetProblemsOfGoneFiles()
        var context = try mailContext()
        var report = MailScanReport()
        // A message not for the CRM is looked at again only when the contacts who keep correspondence change.
        let watched = EmailPlanner.sha256(Data(context.directory.correspondenceAddresses.sorted().joined(separator: ",").utf8))
        let folders = [settings.mailShareFolder].compactMap { $0 }.map { ($0, false) }
            + (settings.mailFolders ?? []).filter { $0 != settings.mailShareFolder }.map { ($0, true) }
        for (folder, onlyCorrespondence) in folders {
            try Self.checkMaildir(folder)
            let seen = try replica.mailSeen(folder: folder)
            for file in Self.maildirFiles(folder) {
                let stamp = Self.stamp(file.path)
                let last = seen[file.key]
                if last == "shared" || last == "failed:" + stamp || (onlyCorrespondence && last == "unconcerned:" + watched) {
                    continue
                }
                guard let data = FileManager.default.contents(atPath: file.path) else { continue }  // moved meanwhile
                let result = shareMessage(
                    data, source: file.path, options: options, context: &context, onlyCorrespondence: onlyCorrespondence)
                let mark: String =
                    switch result.outcome {
                    case .shared, .alreadyShared: "shared"
                    case .notConcerned: "unconcerned:" + watched
                    case .failed: "failed:" + stamp
                    }
                try replica.markMailSeen(folder: folder, name: file.key, fingerprint: mark)
                if result.outcome != .notConcerned { report.results.append(result) }
            }
        }
        return report
    }

    /// The message files of a maildir (`new/` and `cur/`), each with its key: the unique part of its name,
    /// which stays when a mail program changes the flags after `:2,`.
    static func maildirFiles(_ folder: String) -> [(key: String, path: String)] {
        var files: [(key: String, path: String)] = []
        for sub in ["new", "cur"] {
            let path = (folder as NSString).appendingPathComponent(sub)
            let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
            for name in names.sorted() where !name.hasPrefix(".") {
                let key = name.split(separator: ":", maxSplits: 1).first.map(String.init) ?? name
                files.append((key, (path as NSString).appendingPathComponent(name)))
            }
        }
        return files
    }

    /// Size and modification time: a message that failed is read again once it changes.
    static func stamp(_ path: String) -> String {
        let attributes = try? FileManager.default.attributesOfItem(atPath: path)
        let size = (attributes?[.size] as? NSNumber)?.int64Value ?? -1
        let time = (attributes?[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
        return "\(size)-\(Int64(time))"
    }
}
