import CRMModel
import CRMSyncProtocol
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore

/// A JSON client of the CRM API for tests: real HTTP requests to the test server's loopback port.
public struct TestAPI: Sendable {
    public let client: any TestClientProtocol

    /// The server's address on loopback (`http://127.0.0.1:PORT`), for clients other than the test client.
    public var baseURL: URL { URL(string: "http://127.0.0.1:\(client.port ?? 0)")! }

    /// An answer: status, headers and the body as text and as JSON.
    public struct Reply: Sendable {
        public let status: HTTPResponse.Status
        public let headers: HTTPFields
        public let text: String

        public init(status: HTTPResponse.Status, headers: HTTPFields, text: String) {
            self.status = status
            self.headers = headers
            self.text = text
        }

        /// The body decoded as `T` with the CRM's coders.
        public func decode<T: Decodable>(_ type: T.Type = T.self) throws -> T {
            try CRMJSON.decoder().decode(T.self, from: Data(text.utf8))
        }

        /// The body as a JSON object.
        public var json: [String: Any] {
            (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:]
        }

        /// The `error.code` of an error body.
        public var errorCode: String? { (json["error"] as? [String: Any])?["code"] as? String }
        /// The `error.field` of an error body.
        public var errorField: String? { (json["error"] as? [String: Any])?["field"] as? String }
        /// The fields named by the issues of a validation error.
        public var issueFields: Set<String> {
            let issues = (json["error"] as? [String: Any])?["issues"] as? [[String: Any]] ?? []
            return Set(issues.compactMap { $0["field"] as? String })
        }
    }

    /// Sends a request with an optional raw body and bearer token.
    public func send(
        _ method: HTTPRequest.Method, _ path: String, token: String? = nil, body: String? = nil,
        headers: HTTPFields = [:]
    ) async throws -> Reply {
        var fields = headers
        if let token { fields[.authorization] = "Bearer \(token)" }
        if body != nil && fields[.contentType] == nil { fields[.contentType] = "application/json" }
        let response = try await client.executeRequest(
            uri: path, method: method, headers: fields, body: body.map { ByteBuffer(string: $0) })
        return Reply(status: response.status, headers: response.headers, text: String(buffer: response.body))
    }

    /// Sends `value` encoded as JSON.
    public func send<T: Encodable>(
        _ method: HTTPRequest.Method, _ path: String, token: String? = nil, json value: T, headers: HTTPFields = [:]
    ) async throws -> Reply {
        let data = try CRMJSON.encoder().encode(value)
        return try await send(method, path, token: token, body: String(decoding: data, as: UTF8.self), headers: headers)
    }

    /// Logs in and returns the bearer token; fails the test's expectations by throwing when refused.
    public func login(_ user: String, password: String = TestServer.password) async throws -> String {
        let reply = try await send(.post, "/api/v1/sessions", json: LoginRequest(username: user, password: password))
        guard reply.status == .created else { throw TestAPIError.refused(reply.status.code, reply.text) }
        return try reply.decode(LoginResponse.self).token
    }

    /// Logs in, optionally from a registered device, and returns the whole answer (token, refresh token, device).
    public func loginResponse(_ user: String, password: String = TestServer.password, device: String? = nil)
        async throws -> LoginResponse
    {
        let reply = try await send(
            .post, "/api/v1/sessions", json: LoginRequest(username: user, password: password, device: device))
        guard reply.status == .created else { throw TestAPIError.refused(reply.status.code, reply.text) }
        return try reply.decode(LoginResponse.self)
    }

    /// Registers a device named `name` for the user of `token` and returns it; throws when the server refuses.
    public func registerDevice(_ name: String, token: String) async throws -> Device {
        let reply = try await send(.post, "/api/v1/devices", token: token, json: DeviceRegistration(name: name))
        guard reply.status == .created else { throw TestAPIError.refused(reply.status.code, reply.text) }
        return try reply.decode(Device.self)
    }

    /// Sends a refresh (`POST /api/v1/sessions` with only a refresh token) and returns the answer as it is.
    public func refresh(_ refreshToken: String, device: String? = nil) async throws -> Reply {
        try await send(.post, "/api/v1/sessions", json: LoginRequest(device: device, refreshToken: refreshToken))
    }

    /// Creates a record and returns it; throws when the server refuses.
    public func create(_ type: String, _ fields: [String: FieldValue], token: String, team: [String]? = nil)
        async throws -> Record
    {
        let reply = try await send(.post, "/api/v1/records/\(type)", token: token, json: RecordWrite(fields: fields, team: team))
        guard reply.status == .created else { throw TestAPIError.refused(reply.status.code, reply.text) }
        return try reply.decode(Record.self)
    }
}

/// The server refused a request a test helper expected to succeed.
public enum TestAPIError: Error, CustomStringConvertible {
    case refused(Int, String)

    public var description: String {
        switch self {
        case .refused(let status, let body): "refused with \(status): \(body)"
        }
    }
}
