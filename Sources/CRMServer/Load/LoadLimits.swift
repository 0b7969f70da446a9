/// How much work one server process takes on at once, and how fast one user may send requests. Past a bound the
/// server answers at once (503 or 429 with `Retry-After`) instead of queueing, so a crowd of desktops backs off
/// rather than every request slowing down.
public struct LoadLimits: Sendable, Equatable {
    /// Sync requests (`sync/begin`, `pull`, `push`, `end`) served at once; one more gets 503. 0: no bound.
    public var maxSyncRequests: Int
    /// Other authenticated requests (records, search, attachments, ...) served at once; one more gets 503. Long
    /// polls (`sync/wait`) count in neither bound: they wait without work. 0: no bound.
    public var maxRequests: Int
    /// The `Retry-After` of a 503 for a shed request, in seconds; desktops add jitter to it.
    public var retryAfter: Int
    /// Requests one user may send per second, sustained (a token bucket per user name in this process); past it,
    /// 429 with `Retry-After`. 0: no limit.
    public var userRequestsPerSecond: Double
    /// Requests one user may send in a burst above the sustained rate.
    public var userBurst: Int

    public init(
        maxSyncRequests: Int = 0, maxRequests: Int = 0, retryAfter: Int = 2, userRequestsPerSecond: Double = 0,
        userBurst: Int = 100
    ) {
        self.maxSyncRequests = maxSyncRequests
        self.maxRequests = maxRequests
        self.retryAfter = retryAfter
        self.userRequestsPerSecond = userRequestsPerSecond
        self.userBurst = userBurst
    }
}
