import AsyncHTTPClient
import CRMModel
import CRMSyncProtocol
import Foundation
import NIOCore
import NIOFoundationCompat

/// The desktop's client of the CRM server's HTTP API (`/api/v1`): one method per route, JSON in and out with the
/// CRM's coders, and every failure reported as a `DesktopError` (see `ServerAnswer` for the mapping).
///
/// It holds no state beyond its address and settings, so it is a value that any task may copy; the bearer token
/// is a parameter of each call because the caller owns the session (and decides when to refresh it).
public struct ServerClient: Sendable {
    /// The server's address, such as `https://crm.example.com` (a path prefix is kept).
    public let baseURL: URL
    public let httpClient: HTTPClient
    /// How long a request may take, from sending it to the last byte of the answer.
    public let timeout: TimeAmount

    /// The most the client reads of one answer; a pull page is at most a few MB.
    static let maxAnswerBytes = 64 * 1024 * 1024
    /// The most `checkServer` waits: a health check that takes longer tells the user nothing good.
    static let checkTimeout: TimeAmount = .seconds(15)
    /// The most the client waits beyond the server's own long-poll timeout for `wait` to answer.
    static let waitGrace: TimeAmount = .seconds(15)

    /// A client of the server at `baseURL`; `httpClient` is shared by default, so nothing needs shutting down.
    public init(baseURL: URL, httpClient: HTTPClient = .shared, timeout: TimeAmount = .seconds(60)) {
        self.baseURL = baseURL
        self.httpClient = httpClient
        self.timeout = timeout
    }

    /// Checks that `baseURL` is a CRM server that is up (`GET /healthz` answers `{"status": "ok"}`), so that setup
    /// can tell a mistyped address from a server that refuses the user.
    public func checkServer() async throws {
        struct Health: Decodable { var status: String }
        let answer = try await send(
            getRequest("/healthz"), route: "GET /healthz", timeout: min(timeout, Self.checkTimeout))
        if answer.status == 200, let health = try? CRMJSON.decoder().decode(Health.self, from: answer.body),
            health.status == "ok"
        {
            return
        }
        // A CRM server that refuses with its own error body (too old a desktop, database down) says so.
        if !answer.isSuccess, answer.errorBody != nil { throw answer.refusal() }
        throw DesktopError(
            .badAnswer,
            "\(baseURL.absoluteString) is not a CRM server: GET /healthz answered \(answer.status) \(answer.excerpt)",
            status: answer.status)
    }

    /// Logs in with a password (optionally for a registered device, which brings a refresh token) or refreshes
    /// with a refresh token: `POST /api/v1/sessions`, sent without a bearer token.
    public func login(_ request: LoginRequest) async throws -> LoginResponse {
        try await post("/api/v1/sessions", request, token: nil)
    }

    /// Registers this desktop with the server under `name` (such as the host name) and returns the new device.
    public func registerDevice(name: String, token: String) async throws -> Device {
        try await post("/api/v1/devices", DeviceRegistration(name: name), token: token)
    }

    /// The customization package of the caller's role (`GET /api/v1/package`).
    public func package(token: String) async throws -> CustomizationPackage {
        try await get("/api/v1/package", token: token)
    }

    /// One record as the server has it now (`GET /api/v1/records/{type}/{id}`), such as to fetch one outside the
    /// device's filter.
    public func record(type: String, id: String, token: String) async throws -> Record {
        try await get("/api/v1/records/\(Self.segment(type))/\(Self.segment(id))", token: token)
    }
}

// MARK: - Requests

extension ServerClient {
    /// Sends a GET and decodes a 2xx answer as `Value`.
    func get<Value: Decodable>(
        _ path: String, query: [URLQueryItem] = [], token: String?, timeout: TimeAmount? = nil
    ) async throws -> Value {
        let answer = try await send(
            getRequest(path, query: query, token: token), route: "GET \(path)", timeout: timeout ?? self.timeout)
        return try answer.decode(Value.self)
    }

    /// Sends `body` as JSON in a POST and decodes a 2xx answer as `Value`.
    func post<Body: Encodable, Value: Decodable>(
        _ path: String, _ body: Body, token: String?, timeout: TimeAmount? = nil
    ) async throws -> Value {
        try await postAnswer(path, body, token: token, timeout: timeout).decode(Value.self)
    }

    /// Sends `body` as JSON in a POST and returns the answer as it came, for the caller to read.
    func postAnswer<Body: Encodable>(
        _ path: String, _ body: Body, token: String?, timeout: TimeAmount? = nil
    ) async throws -> ServerAnswer {
        let route = "POST \(path)"
        let data: Data
        do {
            data = try CRMJSON.encoder().encode(body)
        } catch {
            throw DesktopError(.invalidInput, "cannot write the request to \(route) as JSON: \(error)")
        }
        var request = request(path, query: [], token: token)
        request.method = .POST
        request.headers.replaceOrAdd(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(data: data))
        return try await send(request, route: route, timeout: timeout ?? self.timeout)
    }

    /// A GET request with the headers every request carries.
    func getRequest(_ path: String, query: [URLQueryItem] = [], token: String? = nil) -> HTTPClientRequest {
        var request = request(path, query: query, token: token)
        request.method = .GET
        return request
    }

    /// A request to `path` under `baseURL` with the protocol version, user agent and bearer token.
    func request(_ path: String, query: [URLQueryItem], token: String?) -> HTTPClientRequest {
        var request = HTTPClientRequest(url: url(path, query: query))
        request.headers.add(name: ProtocolVersion.header, value: String(ProtocolVersion.current))
        request.headers.add(name: "User-Agent", value: "crm-desktop/\(ProtocolVersion.current)")
        request.headers.add(name: "Accept", value: "application/json")
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        return request
    }

    /// `baseURL` joined with `path` (already percent-encoded) and the query.
    func url(_ path: String, query: [URLQueryItem]) -> String {
        var base = baseURL.absoluteString
        while base.hasSuffix("/") { base.removeLast() }
        guard !query.isEmpty else { return base + path }
        var components = URLComponents()
        components.queryItems = query
        // `+` is a space to many servers' query parsers; spell it out.
        let encoded = (components.percentEncodedQuery ?? "").replacingOccurrences(of: "+", with: "%2B")
        return base + path + "?" + encoded
    }

    /// A path segment percent-encoded, so that an id or type name cannot change the route.
    static func segment(_ text: String) -> String {
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove(charactersIn: "/;?#")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }

    /// Sends the request and reads the whole answer (up to `maxAnswerBytes`); transport failures become
    /// `.unreachable`, an answer too large `.badAnswer`.
    func send(_ request: HTTPClientRequest, route: String, timeout: TimeAmount) async throws -> ServerAnswer {
        let deadline = NIODeadline.now() + timeout
        do {
            let response = try await httpClient.execute(request, deadline: deadline)
            let body = try await response.body.collect(upTo: Self.maxAnswerBytes)
            return ServerAnswer(
                route: route, status: Int(response.status.code), body: Data(buffer: body),
                retryAfter: response.headers.first(name: "Retry-After").flatMap { Int($0) })
        } catch let error as NIOTooManyBytesError {
            throw DesktopError(
                .badAnswer, "the answer to \(route) is larger than \(Self.maxAnswerBytes / 1024 / 1024) MiB: \(error)")
        } catch {
            if Task.isCancelled { throw CancellationError() }
            throw ServerAnswer.unreachable(baseURL, error, timeout: timeout)
        }
    }
}
