/// Tells every server process that shares a store which users' records changed, so that a long-poll held by
/// one process is woken by a write through another (PostgreSQL: LISTEN/NOTIFY). A store of one process
/// (SQLite) does not need it: the process's own signal is enough, and other writers (admin commands) are found
/// by the waiters' periodic re-checks.
public protocol ChangeBroadcast: Sendable {
    /// Sends `users` (nil: everyone) to every process listening on this store, this one included.
    func broadcast(users: Set<String>?) async throws

    /// What every process broadcasts, as it arrives, until the task is cancelled. After the listening
    /// connection was lost and is back, it yields nil (everyone): what was broadcast meanwhile is lost, so
    /// every waiter looks again.
    func broadcasts() -> AsyncStream<Set<String>?>
}
