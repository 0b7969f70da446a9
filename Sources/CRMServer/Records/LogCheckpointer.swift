import CRMStore
import Logging
import ServiceLifecycle

/// Moves the store's write-ahead log into its file every `interval` (`RecordStore.checkpointLog`), on a core of
/// its own, so that no request waits for it: without it, the commit that finds SQLite's log past its bound copies
/// the whole log into the file and syncs it before its answer goes out.
public struct LogCheckpointer: Service {
    let store: any RecordStore
    let interval: Duration
    let logger: Logger

    public init(store: any RecordStore, interval: Duration = .seconds(1), logger: Logger) {
        self.store = store
        self.interval = interval
        self.logger = logger
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    let moved = try await store.checkpointLog()
                    if moved > 0 { logger.trace("log checkpoint: \(moved) pages") }
                } catch is CancellationError {
                    return
                } catch {
                    // The next round tries again; meanwhile commits past the safety bound do it themselves.
                    logger.warning("log checkpoint failed: \(error)")
                }
                do {
                    try await Task.sleep(for: interval)
                } catch {
                    return
                }
            }
        }
    }
}
