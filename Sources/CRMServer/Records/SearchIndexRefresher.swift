import CRMStore
import Logging
import ServiceLifecycle

/// Keeps the store's text index fresh between searches (`RecordStore.refreshSearchIndex`). SQLite's writes
/// only note what the index must learn and a search brings it up to date first; without this service the first
/// search after a large push or import would do all of that work while its user waits.
public struct SearchIndexRefresher: Service {
    let store: any RecordStore
    let interval: Duration
    let logger: Logger

    public init(store: any RecordStore, interval: Duration = .seconds(2), logger: Logger) {
        self.store = store
        self.interval = interval
        self.logger = logger
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    try await Task.sleep(for: interval)
                } catch {
                    return
                }
                do {
                    let indexed = try await store.refreshSearchIndex()
                    if indexed > 0 { logger.debug("search index: \(indexed) records indexed") }
                } catch is CancellationError {
                    return
                } catch {
                    // The next round, or the next search, tries again; nothing is lost meanwhile.
                    logger.warning("search index refresh failed: \(error)")
                }
            }
        }
    }
}
