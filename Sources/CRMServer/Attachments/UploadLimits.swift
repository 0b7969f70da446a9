import CRMModel
import CRMSyncProtocol
import Foundation

/// What a role's package lets its users upload: content that at least one attachments field they may write
/// takes, by media type and size. Uploads are refused up front, before a byte is stored, rather than when a
/// record lists the content (where `FieldValueCheck` applies the same limits field by field).
struct UploadLimits {
    /// The writable attachments fields of the package, in a stable order.
    let fields: [(name: String, definition: FieldDefinition)]

    init(_ package: CustomizationPackage) {
        var fields: [(String, FieldDefinition)] = []
        for (typeName, type) in package.types.sorted(by: { $0.key < $1.key }) {
            for (name, field) in type.fields.sorted(by: { $0.key < $1.key })
            where field.kind == .attachments && !field.isReadOnly {
                fields.append(("\(typeName).\(name)", field))
            }
        }
        self.fields = fields
    }

    /// Refuses an upload no field would take: 403 without any attachments field, 415 for a media type none
    /// allows, 413 above the largest size a field allowing the type takes.
    func check(length: Int64, mediaType: String) throws {
        guard !fields.isEmpty else {
            throw CRMError(
                .forbidden, "the package of your role has no attachments field you may fill: files cannot be uploaded")
        }
        let allowing = fields.filter { $0.definition.allowsFileType(mediaType) }
        guard let limit = allowing.map({ $0.definition.fileSizeLimit }).max() else {
            let allowed = Set(fields.flatMap { $0.definition.fileTypes ?? ["*/*"] }).sorted()
            throw CRMError(
                .unsupportedMediaType,
                "files of type \(mediaType) cannot be attached; allowed: \(allowed.joined(separator: ", "))",
                field: "Content-Type")
        }
        guard length <= Int64(limit) else {
            throw CRMError(
                .tooLarge,
                "the file is \(length) bytes; attachments are limited to \(limit) bytes (\(Self.megabytes(limit)))",
                field: AttachmentHeader.uploadLength)
        }
    }

    /// `5 MB`, `2.5 MB`: a limit in MB (2^20 bytes) for people.
    static func megabytes(_ bytes: Int) -> String {
        let value = Double(bytes) / 1_048_576
        let rounded = (value * 10).rounded() / 10
        return rounded == rounded.rounded() ? "\(Int(rounded)) MB" : "\(rounded) MB"
    }
}
