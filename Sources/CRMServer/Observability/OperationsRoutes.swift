import CRMStore
import HTTPTypes
import Hummingbird
import NIOCore

/// `GET /metrics` (Prometheus text) and `GET /readyz` (readiness), outside `/api/v1` as monitoring expects.
struct OperationsRoutes {
    let store: any ServerStore
    let auth: AuthService
    let metrics: ServerMetrics
    let configuration: ServerConfiguration

    func add(to router: Router<CRMRequestContext>) {
        router.get("metrics") { request, context in
            try await checkMetricsAccess(request, context)
            if let pool = store as? any PoolStatus { metrics.observe(pool.poolUse) }
            var headers = HTTPFields()
            headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: metrics.render())))
        }
        router.get("readyz") { _, _ in
            if let reason = await unreadiness() {
                return JSONResponse.make(Readiness(status: "unavailable", reason: reason), status: .serviceUnavailable)
            }
            return JSONResponse.make(Readiness(status: "ready", reason: nil))
        }
    }

    /// Metrics are open to the configured networks (loopback by default), and elsewhere to an admin's session:
    /// they say how busy the server is and who fails to log in, which is not for everyone on the internet.
    private func checkMetricsAccess(_ request: Request, _ context: CRMRequestContext) async throws {
        let networks = configuration.metricsNetworks
        if let address = context.remoteAddress, networks.contains(where: { $0.contains(address) }) { return }
        let refusal = CRMError(
            .forbidden,
            "metrics are open to the server's allowed networks (serve --metrics-allow) and to an admin's session")
        guard request.headers[.authorization] != nil else { throw refusal }
        let caller = try await auth.authenticate(token: try AuthMiddleware.bearerToken(request))
        context.trace.user = caller.user.name
        guard caller.isAdmin else { throw refusal }
    }

    /// Why the server cannot serve requests now, or nil when it can: its database answers and has the schema
    /// this program expects.
    private func unreadiness() async -> String? {
        do {
            _ = try await store.lastSequence()
            try await (store as? any SchemaStatus)?.checkSchema()
            return nil
        } catch StoreError.database(let message) {
            return message
        } catch {
            return ErrorRendering.translate(error).message
        }
    }
}

/// The answer of `GET /readyz`.
struct Readiness: Codable, Sendable {
    /// `ready`, or `unavailable` (with status 503).
    var status: String
    /// What is wrong, when not ready.
    var reason: String?
}
