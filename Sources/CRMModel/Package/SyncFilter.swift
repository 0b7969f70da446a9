import Foundation

/// A named sync filter preset: which records of each type a device keeps in its replica.
public struct SyncFilter: Codable, Sendable, Equatable {
    public var name: String
    public var label: String
    public var `default`: Bool?
    public var parameters: [FilterParameter]?
    /// Per type, which records come down; a type not named here is not synced.
    public var types: [String: TypeFilter]
    /// When the content of the records' attachments comes down: with the sync (the default), or when the user
    /// opens one (a filter that brings a whole team's records need not bring every file).
    public var attachments: AttachmentDownload?

    public init(
        name: String, label: String, default: Bool? = nil, parameters: [FilterParameter]? = nil,
        types: [String: TypeFilter], attachments: AttachmentDownload? = nil
    ) {
        self.attachments = attachments
        self.name = name
        self.label = label
        self.default = `default`
        self.parameters = parameters
        self.types = types
    }

    public var isDefault: Bool { self.default ?? false }

    /// Whether a sync brings the attachments' content of the records it brings.
    public var downloadsAttachmentsEagerly: Bool { (attachments ?? .eager) == .eager }
}

/// When a device brings attachment content: `eager` with each sync, `on-open` when the user opens the file.
public enum AttachmentDownload: String, Codable, Sendable, Equatable {
    case eager
    case onOpen = "on-open"
}

/// A parameter the user sets when choosing a filter ("days back").
public struct FilterParameter: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable, CaseIterable { case number, text, boolean }
    public var name: String
    public var label: String
    public var kind: Kind
    public var `default`: String?

    public init(name: String, label: String, kind: Kind, default: String? = nil) {
        self.name = name
        self.label = label
        self.kind = kind
        self.default = `default`
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        label = try container.decode(String.self, forKey: .label)
        kind = try container.decode(Kind.self, forKey: .kind)
        `default` = try container.decodeLenientString(forKey: .default)
    }
}

/// Which records of one type a filter keeps.
public struct TypeFilter: Codable, Sendable, Equatable {
    public enum Ownership: String, Codable, Sendable, CaseIterable {
        /// Records the user owns or whose team includes the user.
        case mine
        /// Every record the user may see.
        case visible
    }

    public var records: Ownership
    /// Further conditions, all of which must hold.
    public var conditions: [FieldCondition]?
    /// A date window relative to the day of the sync, in the device's time zone.
    public var window: DateWindow?
    /// The most records of this type a device keeps (an admin master limit).
    public var limit: Int?

    public init(records: Ownership, conditions: [FieldCondition]? = nil, window: DateWindow? = nil, limit: Int? = nil) {
        self.records = records
        self.conditions = conditions
        self.window = window
        self.limit = limit
    }
}

/// "From N days ago to M days ahead" on a date or datetime field; N and M may name filter parameters.
public struct DateWindow: Codable, Sendable, Equatable {
    public var field: String
    /// Days back: a number, or the name of a number parameter.
    public var back: String
    /// Days ahead: a number, or the name of a number parameter.
    public var ahead: String
    /// Records for which this holds pass whatever their date ("open opportunities, or closed within 90 days").
    public var orWhen: FieldCondition?

    public init(field: String, back: String, ahead: String, orWhen: FieldCondition? = nil) {
        self.field = field
        self.back = back
        self.ahead = ahead
        self.orWhen = orWhen
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        field = try container.decode(String.self, forKey: .field)
        guard let back = try container.decodeLenientString(forKey: .back) else {
            throw DecodingError.keyNotFound(CodingKeys.back, .init(codingPath: container.codingPath, debugDescription: ""))
        }
        guard let ahead = try container.decodeLenientString(forKey: .ahead) else {
            throw DecodingError.keyNotFound(CodingKeys.ahead, .init(codingPath: container.codingPath, debugDescription: ""))
        }
        self.back = back
        self.ahead = ahead
        orWhen = try container.decodeIfPresent(FieldCondition.self, forKey: .orWhen)
    }
}

extension KeyedDecodingContainer {
    /// Text written as text or as a number (`default: 30` and `default: "30"` alike).
    func decodeLenientString(forKey key: Key) throws -> String? {
        if let number = try? decodeIfPresent(Decimal.self, forKey: key) { return "\(number)" }
        return try decodeIfPresent(String.self, forKey: key)
    }
}
