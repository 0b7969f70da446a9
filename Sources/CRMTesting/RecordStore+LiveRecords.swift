import CRMModel
import CRMStore

extension RecordStore {
    /// Every live record of `types`, by id, read page by page through `list` as any caller of the store would:
    /// what tests compare before and after a change, or between two stores.
    public func liveRecords(types: [String]) async throws -> [String: Record] {
        var result: [String: Record] = [:]
        for type in types {
            var query = RecordQuery(type: type, visibility: .all, sort: RecordSort(field: "id"), limit: 500)
            while true {
                let page = try await list(query)
                for record in page.records { result[record.id] = record }
                guard let next = page.nextCursor else { break }
                query.cursor = next
            }
        }
        return result
    }
}
