import CRMModel
import Foundation

/// One record an online search found: what a list shows of it (its form's list and title fields), not the
/// whole record; `crm-desktop fetch` brings the record itself.
public struct SearchHit: Codable, Sendable, Equatable {
    public var id: String
    public var type: String
    /// The record's title from its form's title fields ("Ada Lovelace").
    public var title: String
    public var version: Int
    public var owner: String
    public var updatedAt: Date
    /// The values of the form's list and title fields the record has.
    public var fields: [String: FieldValue]

    public init(
        id: String, type: String, title: String, version: Int, owner: String, updatedAt: Date,
        fields: [String: FieldValue]
    ) {
        self.id = id
        self.type = type
        self.title = title
        self.version = version
        self.owner = owner
        self.updatedAt = updatedAt
        self.fields = fields
    }
}

/// The answer of `GET /api/v1/search/{type}`: a page of hits, best match first, and the cursor of the next page
/// (nil on the last).
public struct SearchResults: Codable, Sendable, Equatable {
    public var results: [SearchHit]
    public var nextCursor: String?

    public init(results: [SearchHit], nextCursor: String?) {
        self.results = results
        self.nextCursor = nextCursor
    }
}
