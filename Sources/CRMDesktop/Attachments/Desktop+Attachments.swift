import CRMModel
import Foundation

/// An attachment the user opened: what it is and where its copy was written.
public struct OpenedAttachment: Sendable, Equatable {
    public var attachment: AttachmentRef
    public var path: String
    /// Whether its content had to come from the server first (a filter that brings files on open).
    public var downloaded: Bool
}

extension Desktop {
    /// Attaches a file to a record, offline: the file is copied under its SHA-256 into the home's attachment
    /// folder and the record's attachments field gets it with the next sync, which uploads the content first.
    /// The package's limits (the field's `maxFileSize`, default 5 MB, and `fileTypes`) are checked here, with
    /// an error that names the limit, before anything is copied.
    ///
    /// - Parameter field: the attachments field (nil: the type's only one, or the first by name).
    @discardableResult
    public func attach(type typeName: String, id: String, file path: String, field: String? = nil) throws -> AttachmentRef {
        let editor = try editor()
        guard let type = editor.package.types[typeName] else {
            throw DesktopError(.invalidInput, "the package has no type '\(typeName)'", field: "TYPE")
        }
        let candidates = type.fields.filter { $0.value.kind == .attachments }.keys.sorted()
        guard let name = field ?? candidates.first, let definition = type.fields[name], definition.kind == .attachments
        else {
            throw DesktopError(
                .invalidInput,
                field.map { "\(typeName) has no attachments field '\($0)'" }
                    ?? "\(typeName) records take no attachments in this package", field: "TYPE")
        }
        let record = try editor.find(typeName, id: id)
        let ref = try Self.checkedFile(path, for: definition, type: typeName)
        try AttachmentCache(home: home).storeCopy(of: path, sha256: ref.sha256)
        var refs = AttachmentRef.list(record.record.fields[name])
        if !refs.contains(where: { $0.sha256 == ref.sha256 && $0.name == ref.name }) { refs.append(ref) }
        try editor.update(type: typeName, id: record.id, fields: [name: AttachmentRef.value(refs)])
        return ref
    }

    /// Writes the attachment that `id` names (the start of its SHA-256, as `show` prints it) to `destination`
    /// (a folder takes the attachment's own name). Content this desktop does not hold yet is downloaded first
    /// (resumable, checked against its hash). An existing file is replaced only with `overwrite`.
    public func openAttachment(_ id: String, to destination: String, overwrite: Bool = false) async throws
        -> OpenedAttachment
    {
        let ref = try attachment(named: id)
        var target = destination
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: destination, isDirectory: &isFolder), isFolder.boolValue {
            target = (destination as NSString).appendingPathComponent(ref.name)
        }
        if FileManager.default.fileExists(atPath: target), !overwrite {
            throw DesktopError(.invalidInput, "\(target) exists; choose another path or replace it with --force", field: "--to")
        }
        let cache = AttachmentCache(home: home)
        let downloaded = !cache.has(ref.sha256)
        if downloaded {
            try FileManager.default.createDirectory(
                atPath: cache.folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            let file = URL(fileURLWithPath: cache.path(ref.sha256))
            try await connection.call { client, token in
                try await client.downloadAttachment(sha256: ref.sha256, to: file, token: token)
            }
        }
        try AttachmentCache.copy(cache.path(ref.sha256), to: target, field: "--to")
        return OpenedAttachment(attachment: ref, path: target, downloaded: downloaded)
    }

    /// The attachment of a held record (or an unsent edit) whose SHA-256 starts with `id` (6 or more digits).
    func attachment(named id: String) throws -> AttachmentRef {
        let prefix = id.lowercased()
        guard prefix.count >= 6, prefix.allSatisfy(\.isHexDigit) else {
            throw DesktopError(
                .invalidInput, "'\(id)' is not an attachment id: give 6 or more of the hex digits `show` prints",
                field: "ID")
        }
        let matches = try replica.attachmentRefs().filter { $0.sha256.hasPrefix(prefix) }
        guard let first = matches.first else {
            throw DesktopError(
                .notFound, "no record on this desktop has an attachment with id \(id) (`crm-desktop show` lists them)",
                field: "ID")
        }
        guard matches.count == 1 else {
            throw DesktopError(.invalidInput, "\(id) names \(matches.count) attachments; give more digits", field: "ID")
        }
        return first
    }

    /// The file's attachment entry, once it passed the field's size and type limits.
    static func checkedFile(_ path: String, for field: FieldDefinition, type: String) throws -> AttachmentRef {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), !isFolder.boolValue else {
            throw DesktopError(.notFound, "\(path) is not a file", field: "FILE")
        }
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        let size = (attributes[.size] as? NSNumber)?.intValue ?? 0
        let name = (path as NSString).lastPathComponent
        if size > field.fileSizeLimit {
            throw DesktopError(
                .invalidInput,
                "\(name) is \(FieldText.size(size)) (\(size) bytes); files on \(type) records are limited to "
                    + "\(FieldText.size(field.fileSizeLimit)) (\(field.fileSizeLimit) bytes, the package's maxFileSize)",
                field: "FILE")
        }
        let mediaType = MediaType.of(fileNamed: name)
        if !field.allowsFileType(mediaType) {
            throw DesktopError(
                .invalidInput,
                "\(name) is \(mediaType); files on \(type) records may be \((field.fileTypes ?? []).joined(separator: ", ")) "
                    + "(the package's fileTypes)", field: "FILE")
        }
        let sha256 = try ServerClient.sha256(of: URL(fileURLWithPath: path))
        return AttachmentRef(sha256: sha256, name: name, mediaType: mediaType, size: size)
    }
}
