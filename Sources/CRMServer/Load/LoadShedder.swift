import Foundation
import Synchronization

/// Counts the requests a server process serves at once and the requests each user sent lately, and refuses
/// the one past a bound of `LoadLimits` at once: `overloaded` (503) or `rateLimited` (429), both with the
/// seconds to wait. One per process, shared by every route.
final class LoadShedder: Sendable {
    /// Which bound a request counts against.
    enum Lane: Sendable {
        case sync, other
    }

    private struct Bucket {
        var tokens: Double
        var at: ContinuousClock.Instant
    }

    private struct State {
        var inFlight: [Lane: Int] = [:]
        var buckets: [String: Bucket] = [:]
    }

    let limits: LoadLimits
    private let state = Mutex(State())
    private let clock = ContinuousClock()

    init(limits: LoadLimits) {
        self.limits = limits
    }

    /// Takes a slot in `lane` for the length of `body`, or refuses at once when the lane is full.
    func serve<T>(_ lane: Lane, _ body: () async throws -> T) async throws -> T {
        let bound = lane == .sync ? limits.maxSyncRequests : limits.maxRequests
        guard bound > 0 else { return try await body() }
        let admitted = state.withLock { state -> Bool in
            let current = state.inFlight[lane, default: 0]
            guard current < bound else { return false }
            state.inFlight[lane] = current + 1
            return true
        }
        guard admitted else {
            let what = lane == .sync ? "sync requests" : "requests"
            throw CRMError(
                .overloaded(retryAfter: limits.retryAfter),
                "the server is busy (\(bound) \(what) at once); try again in \(limits.retryAfter) s")
        }
        defer { state.withLock { $0.inFlight[lane, default: 1] -= 1 } }
        return try await body()
    }

    /// Spends one of `user`'s tokens, or refuses with the seconds until the next one.
    func admit(user: String) throws {
        let rate = limits.userRequestsPerSecond
        guard rate > 0 else { return }
        let burst = Double(max(1, limits.userBurst))
        let now = clock.now
        let wait = state.withLock { state -> Double? in
            var bucket = state.buckets[user] ?? Bucket(tokens: burst, at: now)
            let elapsed = bucket.at.duration(to: now)
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
            bucket.tokens = min(burst, bucket.tokens + seconds * rate)
            bucket.at = now
            defer { state.buckets[user] = bucket }
            guard bucket.tokens >= 1 else { return (1 - bucket.tokens) / rate }
            bucket.tokens -= 1
            return nil
        }
        if let wait {
            let seconds = max(1, Int(wait.rounded(.up)))
            throw CRMError(
                .rateLimited(retryAfter: seconds),
                "too many requests from \(user) (\(rate) a second, bursts of \(Int(burst))); try again in "
                    + "\(seconds) s")
        }
    }
}
