import Foundation

/// One field of an object type: its kind and the constraints every write is checked against.
public struct FieldDefinition: Codable, Sendable, Equatable {
    public var kind: FieldKind
    public var label: String?
    public var required: Bool?
    public var readOnly: Bool?
    /// The list of values a picklist field draws from (a key of the package's `lists`).
    public var list: String?
    /// Types a reference may point to; `["any"]` allows every type.
    public var target: [String]?
    /// What a delete of the referenced record does to this record (references only; default `nullify`).
    public var onDelete: OnDelete?
    public var maxLength: Int?
    public var min: Decimal?
    public var max: Decimal?
    /// Digits allowed after the decimal point (number and currency).
    public var scale: Int?
    /// For currency fields: the sibling text field holding the ISO 4217 code (else the package currency).
    public var currencyField: String?
    public var help: String?
    /// For attachments fields: the largest file in bytes (default `defaultMaxFileSize`, 5 MB).
    public var maxFileSize: Int?
    /// For attachments fields: the media types allowed (`application/pdf`, `image/*`); nil allows every type.
    public var fileTypes: [String]?

    /// The largest attachment when a package sets no `maxFileSize`: 5 MB, as the source product.
    public static let defaultMaxFileSize = 5 * 1024 * 1024

    public init(
        kind: FieldKind, label: String? = nil, required: Bool? = nil, readOnly: Bool? = nil, list: String? = nil,
        target: [String]? = nil, onDelete: OnDelete? = nil, maxLength: Int? = nil, min: Decimal? = nil,
        max: Decimal? = nil, scale: Int? = nil, currencyField: String? = nil, help: String? = nil,
        maxFileSize: Int? = nil, fileTypes: [String]? = nil
    ) {
        self.maxFileSize = maxFileSize
        self.fileTypes = fileTypes
        self.kind = kind
        self.label = label
        self.required = required
        self.readOnly = readOnly
        self.list = list
        self.target = target
        self.onDelete = onDelete
        self.maxLength = maxLength
        self.min = min
        self.max = max
        self.scale = scale
        self.currencyField = currencyField
        self.help = help
    }

    public var isRequired: Bool { required ?? false }
    public var isReadOnly: Bool { readOnly ?? false }
    public var deleteRule: OnDelete { onDelete ?? .nullify }
    public var fileSizeLimit: Int { maxFileSize ?? Self.defaultMaxFileSize }

    /// Whether an attachments field takes files of `mediaType` (`type/*` patterns match every subtype).
    public func allowsFileType(_ mediaType: String) -> Bool {
        guard let fileTypes else { return true }
        let wanted = mediaType.lowercased()
        return fileTypes.contains { pattern in
            let pattern = pattern.lowercased()
            if pattern == "*/*" || pattern == wanted { return true }
            return pattern.hasSuffix("/*") && wanted.hasPrefix(pattern.dropLast())
        }
    }

    /// Whether this reference may point to a record of `type`.
    public func allowsTarget(_ type: String) -> Bool {
        guard let target else { return false }
        return target.contains("any") || target.contains(type)
    }
}
