import Foundation
import Synchronization

/// Runs synchronous code that needs asynchronous work done for it: the code runs on a thread of its own, and
/// each time it needs a result (`call`) it hands an async job to the task that started it and blocks until
/// that task has run the job.
///
/// Why: a push runs the push applier, which is synchronous (`PushTransaction`'s methods return their results,
/// as GRDB's do on SQLite's writer), while postgres-nio is asynchronous. Blocking a thread of Swift's
/// cooperative pool (two threads on these machines) or of a Dispatch global queue on a semaphore that async
/// code must signal starves that async code and can deadlock the process; a dedicated thread may block
/// freely. This mirrors GRDB's model, synchronous SQL on a dedicated writer thread, with the statements run by
/// the awaiting task, in order and one at a time, on the connection (and inside the transaction) it holds.
///
/// An error a job throws comes back to its synchronous caller; an error the body throws comes back to the
/// awaiting task (and rolls the caller's transaction back). When the awaiting task is cancelled, the job that
/// runs finishes, and every later `call` fails at once with `CancellationError`, so the thread never stays
/// blocked; `run` returns only once the body has returned, so nothing uses the connection afterwards.
final class BlockingBridge: Sendable {
    private let state = Mutex(State())

    private struct State {
        /// A job handed over while the task was busy (at most one: the thread waits for each).
        var job: Job?
        /// The task, when it waits for the next job.
        var consumer: CheckedContinuation<Event, Never>?
        var finished = false
        var cancelled = false
    }

    private struct Job: Sendable {
        let run: @Sendable () async -> Void
        /// Fails the job's caller without running it.
        let cancel: @Sendable () -> Void
    }

    private enum Event: Sendable {
        case job(Job)
        case finished
    }

    private init() {}

    /// Runs `body` on a new thread, running the jobs it hands over until it returns; returns what it returned.
    static func run<T: Sendable>(_ body: @escaping @Sendable (BlockingBridge) throws -> T) async throws -> T {
        let bridge = BlockingBridge()
        let outcome = Reply<T>()
        let thread = Thread {
            outcome.fulfil(Result { try body(bridge) })
            bridge.finish()
        }
        thread.name = "crm-postgres-push"
        thread.stackSize = 4 << 20
        thread.start()
        await withTaskCancellationHandler {
            while case .job(let job) = await bridge.nextEvent() {
                await job.run()
            }
        } onCancel: {
            bridge.cancel()
        }
        return try outcome.wait()
    }

    /// Runs `work` on the awaiting task and returns its result; called on the bridge's thread, which blocks.
    @discardableResult
    func call<R: Sendable>(_ work: @escaping @Sendable () async throws -> R) throws -> R {
        let reply = Reply<R>()
        let job = Job(
            run: {
                do {
                    reply.fulfil(.success(try await work()))
                } catch {
                    reply.fulfil(.failure(error))
                }
            },
            cancel: { reply.fulfil(.failure(CancellationError())) })
        let consumer = try state.withLock { state throws -> CheckedContinuation<Event, Never>? in
            if state.cancelled { throw CancellationError() }
            precondition(state.job == nil, "BlockingBridge.call from two threads at once")
            guard let consumer = state.consumer else {
                state.job = job
                return nil
            }
            state.consumer = nil
            return consumer
        }
        consumer?.resume(returning: .job(job))
        return try reply.wait()
    }

    private func nextEvent() async -> Event {
        await withCheckedContinuation { continuation in
            let event = state.withLock { state -> Event? in
                if let job = state.job {
                    state.job = nil
                    return .job(job)
                }
                if state.finished { return .finished }
                state.consumer = continuation
                return nil
            }
            if let event { continuation.resume(returning: event) }
        }
    }

    private func finish() {
        let consumer = state.withLock { state -> CheckedContinuation<Event, Never>? in
            state.finished = true
            defer { state.consumer = nil }
            return state.consumer
        }
        consumer?.resume(returning: .finished)
    }

    /// Fails the job handed over and not started yet, and every later one.
    private func cancel() {
        let job = state.withLock { state -> Job? in
            state.cancelled = true
            defer { state.job = nil }
            return state.job
        }
        job?.cancel()
    }
}

/// The answer to one `call` (set once by the task, read by the blocked thread), or the body's outcome (set by
/// the thread before it finishes, read by the task).
private final class Reply<R: Sendable>: Sendable {
    private let semaphore = DispatchSemaphore(value: 0)
    private let result = Mutex<Result<R, any Error>?>(nil)

    func fulfil(_ value: Result<R, any Error>) {
        result.withLock { $0 = value }
        semaphore.signal()
    }

    func wait() throws -> R {
        semaphore.wait()
        return try result.withLock { $0! }.get()
    }
}
