import CRMModel
import CRMSyncProtocol
import Foundation

extension Desktop {
    /// A page of the server's search over every record of `type` the user may see, not only the replica's.
    public func searchOnline(type: String, text: String, limit: Int = 20, cursor: String? = nil) async throws
        -> SearchResults
    {
        try await connection.call { client, token in
            try await client.search(type: type, text: text, limit: limit, cursor: cursor, token: token)
        }
    }

    /// The records of `type` in the replica (with local edits) whose text holds every word of `text`, the last
    /// as a prefix, as the server's search matches them; ordered by title. Offline.
    public func searchLocal(type: String, text: String, presenter: RecordPresenter) throws -> [LocalRecord] {
        let terms = SearchTerms(text)
        guard !terms.words.isEmpty else { return [] }
        return try replica.localRecords(type: type, user: user)
            .filter { terms.matches($0.record, hiding: []) }
            .sorted { presenter.title(of: $0.record) < presenter.title(of: $1.record) }
    }
}
