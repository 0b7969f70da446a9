import CRMSyncProtocol
import Foundation

extension ServerClient {
    /// One page of the server's text search over the records of `type` the user may see
    /// (`GET /api/v1/search/{type}`), best match first.
    public func search(type: String, text: String, limit: Int, cursor: String?, token: String) async throws
        -> SearchResults
    {
        var query = [URLQueryItem(name: "q", value: text), URLQueryItem(name: "limit", value: String(limit))]
        if let cursor { query.append(URLQueryItem(name: "cursor", value: cursor)) }
        return try await get("/api/v1/search/\(Self.segment(type))", query: query, token: token)
    }
}
