import CRMModel
import Foundation
import Synchronization

/// Resolved filters decoded from sync sessions' stored text, by that text. A session's filter never changes and
/// every request of the session needs it: decoding it with Foundation's decoder at each pull, push, wait and end
/// cost more than reading the session. Bounded: emptied when full.
final class FilterCache: Sendable {
    private let entries = Mutex<[Data: ResolvedFilter]>([:])
    private let capacity: Int

    init(capacity: Int = 4096) {
        self.capacity = capacity
    }

    /// The filter `text` holds, decoded once.
    func filter(_ text: Data) throws -> ResolvedFilter {
        if let cached = entries.withLock({ $0[text] }) { return cached }
        let filter = try CRMJSON.decoder().decode(ResolvedFilter.self, from: text)
        entries.withLock { entries in
            if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            entries[text] = filter
        }
        return filter
    }
}
