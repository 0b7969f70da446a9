import Foundation

/// One file attached to a record, as an attachments field lists it: the content is named by its SHA-256 in
/// the server's attachment store, so the same file attached twice (or shared by two users) is stored once.
public struct AttachmentRef: Sendable, Hashable, Codable {
    /// Lowercase hex SHA-256 of the content.
    public var sha256: String
    /// The file name the user sees (no folders).
    public var name: String
    /// Lowercase `type/subtype`.
    public var mediaType: String
    /// Bytes.
    public var size: Int

    public init(sha256: String, name: String, mediaType: String, size: Int) {
        self.sha256 = sha256
        self.name = name
        self.mediaType = mediaType
        self.size = size
    }

    /// Whether `text` is a lowercase hex SHA-256 (64 digits).
    public static func isDigest(_ text: String) -> Bool {
        text.utf8.count == 64 && text.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
    }

    /// The field value for a list of attachments.
    public static func value(_ refs: [AttachmentRef]) -> FieldValue {
        .array(
            refs.map { ref in
                .object([
                    "sha256": .string(ref.sha256), "name": .string(ref.name), "mediaType": .string(ref.mediaType),
                    "size": .number(Decimal(ref.size)),
                ])
            })
    }

    /// The attachments a field value lists; entries that are not well-formed attachments are skipped (the
    /// validator refuses them on write).
    public static func list(_ value: FieldValue?) -> [AttachmentRef] {
        guard case .array(let entries) = value else { return [] }
        return entries.compactMap { entry in
            guard case .object(let parts) = entry, let sha = parts["sha256"]?.stringValue, isDigest(sha),
                let name = parts["name"]?.stringValue, let size = parts["size"]?.decimalValue
            else { return nil }
            let mediaType = parts["mediaType"]?.stringValue ?? "application/octet-stream"
            return AttachmentRef(sha256: sha, name: name, mediaType: mediaType, size: NSDecimalNumber(decimal: size).intValue)
        }
    }
}
