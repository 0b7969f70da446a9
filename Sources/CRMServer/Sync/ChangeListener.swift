import CRMStore
import Logging
import ServiceLifecycle

/// Passes the changes every server process broadcasts on the store to this process's long-polls.
struct ChangeListener: Service {
    let bus: any ChangeBroadcast
    let signal: ChangeSignal
    let logger: Logger

    func run() async throws {
        try await cancelWhenGracefulShutdown {
            for await people in bus.broadcasts() {
                await signal.changed(people: people)
            }
        }
        logger.debug("change listener stopped")
    }
}
