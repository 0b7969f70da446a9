import Foundation

extension DAVStore {
    /// How many PUTs a batch of new items keeps in flight.
    static let uploadsInFlight = 4

    /// Creates the items as `put` does (each an `If-None-Match: *` PUT), several at once: a server spends most of
    /// a PUT's time on its own side (reading, checking and storing the item, answering), so one upload waiting for
    /// its answer need not hold back the next. A result per item, in order.
    public func create(_ collection: PIMCollection, items: [(href: String, data: Data)]) async throws
        -> [Result<PIMItem, PIMStoreError>]
    {
        guard !items.isEmpty else { return [] }
        // The collection is found (and created) once, before the uploads race to do it.
        _ = try await collectionURL(collection)
        var results: [Result<PIMItem, PIMStoreError>?] = Array(repeating: nil, count: items.count)
        try await withThrowingTaskGroup(of: (Int, Result<PIMItem, PIMStoreError>).self) { group in
            var next = 0
            func upload() {
                guard next < items.count else { return }
                let index = next
                next += 1
                group.addTask { (index, try await self.putResult(collection, items[index])) }
            }
            for _ in 0..<Self.uploadsInFlight { upload() }
            for try await (index, result) in group {
                results[index] = result
                upload()
            }
        }
        return results.map { $0 ?? .failure(changed("", collection)) }
    }

    /// One new item's PUT, its refusal as a result; other failures (the server unreachable) end the batch.
    private func putResult(_ collection: PIMCollection, _ item: (href: String, data: Data)) async throws
        -> Result<PIMItem, PIMStoreError>
    {
        do {
            return .success(try await put(collection, href: item.href, data: item.data, ifMatch: nil))
        } catch let error as PIMStoreError {
            return .failure(error)
        }
    }
}
