import CRMStore
import CoreMetrics
import Foundation
import Metrics
import Prometheus

/// The server's metrics (docs/OPERATIONS.md lists them), kept in a Prometheus registry the application owns.
///
/// Metrics are made through swift-metrics with a `PrometheusMetricsFactory` on this registry, passed down to the
/// services, never through `MetricsSystem.bootstrap`: a process-global factory could be bootstrapped only once,
/// and the tests run many servers in one process at once, each of which must count its own requests.
public struct ServerMetrics: Sendable {
    /// The registry `GET /metrics` renders.
    public let registry: PrometheusCollectorRegistry
    let factory: PrometheusMetricsFactory

    /// A server's metrics on a registry of their own.
    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        var factory = PrometheusMetricsFactory(registry: registry)
        // Store calls are mostly well under 5 ms; requests include long-polls of up to a minute.
        factory.durationHistogramBuckets[Name.storeCallSeconds] = [
            .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2),
            .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
            .milliseconds(250), .seconds(1), .seconds(5),
        ]
        factory.durationHistogramBuckets[Name.requestSeconds] = [
            .milliseconds(1), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
            .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2500),
            .seconds(5), .seconds(10), .seconds(30), .seconds(60),
        ]
        self.factory = factory
        // The series that are zero until something happens are shown from the start, so a dashboard and a
        // rate() see them before the first event.
        _ = Meter(label: Name.waiting, factory: factory)
        _ = Meter(label: Name.inFlight, factory: factory)
        for event in ["begun", "ended", "failed"] {
            _ = Counter(label: Name.syncSessions, dimensions: [("event", event)], factory: factory)
        }
        for name in [Name.recordsPulled, Name.opsPushed, Name.loginFailures, Name.loginThrottled] {
            _ = Counter(label: name, factory: factory)
        }
    }

    /// The metric names, as `GET /metrics` shows them.
    public enum Name {
        public static let requests = "crm_http_requests_total"
        public static let requestSeconds = "crm_http_request_duration_seconds"
        public static let inFlight = "crm_http_requests_in_flight"
        public static let syncSessions = "crm_sync_sessions_total"
        public static let recordsPulled = "crm_sync_records_pulled_total"
        public static let opsPushed = "crm_sync_ops_pushed_total"
        public static let ops = "crm_sync_ops_total"
        public static let waiting = "crm_sync_waiting"
        public static let loginFailures = "crm_login_failures_total"
        public static let loginThrottled = "crm_login_throttled_total"
        public static let storeCallSeconds = "crm_store_call_duration_seconds"
        public static let poolSize = "crm_db_pool_size"
        public static let poolConnections = "crm_db_pool_connections"
    }

    /// The Prometheus text exposition of every metric.
    public func render() -> [UInt8] { registry.emitToBuffer() }

    // MARK: - Requests

    /// One answered request: counted by route pattern (not the raw path, which would make a series per
    /// record), method and status, and its duration by route and method.
    func request(route: String, method: String, status: Int, duration: Duration) {
        Counter(label: Name.requests, dimensions: [("route", route), ("method", method), ("status", String(status))],
            factory: factory).increment()
        Metrics.Timer(label: Name.requestSeconds, dimensions: [("route", route), ("method", method)], factory: factory)
            .record(duration: duration)
    }

    /// Runs a request while `crm_http_requests_in_flight` counts it (long-polls included).
    func inFlight<T>(_ body: () async throws -> T) async rethrows -> T {
        let meter = Meter(label: Name.inFlight, factory: factory)
        meter.increment()
        defer { meter.decrement() }
        return try await body()
    }

    // MARK: - Sync

    /// A sync session begun, ended, or ended with errors the device reported (`failed`).
    func syncSession(_ event: SyncSessionEvent) {
        Counter(label: Name.syncSessions, dimensions: [("event", event.rawValue)], factory: factory).increment()
    }

    /// How sync sessions went, for `crm_sync_sessions_total{event}`.
    enum SyncSessionEvent: String {
        case begun, ended, failed
    }

    /// Records sent to devices by pulls.
    func pulled(_ count: Int) {
        Counter(label: Name.recordsPulled, factory: factory).increment(by: count)
    }

    /// Ops a push carried, and how each was answered (`applied`, `merged`, `conflict`, `rejected`).
    func pushed(_ counts: [String: Int], total: Int) {
        Counter(label: Name.opsPushed, factory: factory).increment(by: total)
        for (result, count) in counts where count > 0 {
            Counter(label: Name.ops, dimensions: [("result", result)], factory: factory).increment(by: count)
        }
    }

    /// Runs a long-poll while `crm_sync_waiting` counts it.
    func waiting<T>(_ body: () async throws -> T) async rethrows -> T {
        let meter = Meter(label: Name.waiting, factory: factory)
        meter.increment()
        defer { meter.decrement() }
        return try await body()
    }

    // MARK: - Logins

    /// A login refused for a wrong user name, password or refresh token.
    func loginFailed() {
        Counter(label: Name.loginFailures, factory: factory).increment()
    }

    /// A login refused because its user name or address is locked out for a while.
    func loginThrottled() {
        Counter(label: Name.loginThrottled, factory: factory).increment()
    }

    // MARK: - Store

    /// The database pool's size and use, read when metrics are scraped (`PoolStatus`: PostgreSQL).
    func observe(_ pool: PoolUse) {
        Gauge(label: Name.poolSize, factory: factory).record(pool.size)
        Gauge(label: Name.poolConnections, dimensions: [("state", "in_use")], factory: factory).record(pool.inUse)
        Gauge(label: Name.poolConnections, dimensions: [("state", "waiting")], factory: factory).record(pool.waiting)
    }

    /// Runs one store call as a service sees it, timing it under `call` (its name in the store protocol).
    func store<T>(_ call: String, _ body: () async throws -> T) async rethrows -> T {
        let clock = ContinuousClock()
        let start = clock.now
        defer {
            Metrics.Timer(label: Name.storeCallSeconds, dimensions: [("call", call)], factory: factory)
                .record(duration: clock.now - start)
        }
        return try await body()
    }
}
