import Foundation

/// The desktop's copies of attachment content, one file per SHA-256 under `<home>/attachments/`: what the user
/// attached or shared waits here for the next sync to upload it, and what the sync downloads lands here.
public struct AttachmentCache: Sendable {
    public let folder: String

    public init(home: DesktopHome) {
        folder = home.file("attachments")
    }

    /// Where the content named `sha256` is (or will be) kept.
    public func path(_ sha256: String) -> String { (folder as NSString).appendingPathComponent(sha256) }

    public func has(_ sha256: String) -> Bool { FileManager.default.fileExists(atPath: path(sha256)) }

    /// Keeps `data` under its hash, atomically (a temporary file renamed into place), owner-only.
    public func store(_ data: Data, sha256: String) throws {
        guard !has(sha256) else { return }
        try FileManager.default.createDirectory(
            atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let temporary = path(sha256) + ".tmp-\(getpid())"
        guard FileManager.default.createFile(atPath: temporary, contents: data, attributes: [.posixPermissions: 0o600])
        else {
            let reason = String(cString: strerror(errno))
            throw DesktopError(errno == ENOSPC ? .diskFull : .invalidInput, "cannot write \(temporary): \(reason)")
        }
        guard rename(temporary, path(sha256)) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw DesktopError(.invalidInput, "cannot keep the attachment \(sha256): \(reason)")
        }
    }

    public func read(_ sha256: String) -> Data? { FileManager.default.contents(atPath: path(sha256)) }

    /// Keeps a copy of the file at `source` under its hash, atomically, owner-only (streamed by the file
    /// system, not read into memory).
    func storeCopy(of source: String, sha256: String) throws {
        guard !has(sha256) else { return }
        try FileManager.default.createDirectory(
            atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        try Self.copy(source, to: path(sha256), permissions: 0o600)
    }

    /// Copies `source` to `target` through a temporary file renamed into place, so `target` is either the
    /// old file or the whole new one; `field` names what the user gave, for the error.
    static func copy(_ source: String, to target: String, permissions: mode_t? = nil, field: String? = nil) throws {
        let temporary = target + ".tmp-\(getpid())"
        unlink(temporary)
        do {
            try FileManager.default.copyItem(atPath: source, toPath: temporary)
        } catch {
            unlink(temporary)
            throw DesktopError(
                .invalidInput, "cannot write \(target): \(error.localizedDescription)", field: field)
        }
        if let permissions { chmod(temporary, permissions) }
        guard rename(temporary, target) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw DesktopError(.invalidInput, "cannot write \(target): \(reason)", field: field)
        }
    }
}
