/// Where a running sync is, for a progress bar.
public struct SyncProgress: Sendable, Equatable {
    public enum Phase: String, Sendable {
        case pushing, pulling
    }

    public var phase: Phase
    /// Ops pushed or records pulled so far.
    public var done: Int
    /// The expected total, when known (a first sync knows it from the begin's preview).
    public var total: Int?

    public init(phase: Phase, done: Int, total: Int?) {
        self.phase = phase
        self.done = done
        self.total = total
    }
}
