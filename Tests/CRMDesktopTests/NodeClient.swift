import CRMModel
import CRMSyncProtocol
import Foundation
#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// A client of one `crm-server` process over real HTTP: the scale-out tests speak the sync protocol to each node
/// directly, to see which node answers what and when.
struct NodeClient: Sendable {
    let url: String

    struct Reply: Sendable {
        var status: Int
        var body: Data
        var text: String { String(decoding: body, as: UTF8.self) }
    }

    struct Refused: Error, CustomStringConvertible {
        var description: String
    }

    /// A session without a time limit of its own: a long-poll may take minutes.
    private static let session: URLSession = {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = 600
        configuration.timeoutIntervalForResource = 600
        return URLSession(configuration: configuration)
    }()

    func send<Body: Encodable>(_ method: String, _ path: String, token: String? = nil, json: Body) async throws -> Reply {
        try await send(method, path, token: token, body: try CRMJSON.encoder().encode(json))
    }

    func get(_ path: String, token: String) async throws -> Reply {
        try await send("GET", path, token: token, body: nil)
    }

    private func send(_ method: String, _ path: String, token: String?, body: Data?) async throws -> Reply {
        var request = URLRequest(url: URL(string: url + path)!)
        request.httpMethod = method
        request.httpBody = body
        if body != nil { request.setValue("application/json", forHTTPHeaderField: "Content-Type") }
        request.setValue(String(ProtocolVersion.current), forHTTPHeaderField: "CRM-Protocol-Version")
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        let (data, response) = try await Self.session.data(for: request)
        return Reply(status: (response as? HTTPURLResponse)?.statusCode ?? 0, body: data)
    }

    private func expect(_ reply: Reply, _ status: Int, _ what: String) throws -> Reply {
        guard reply.status == status else { throw Refused(description: "\(what): \(reply.status) \(reply.text)") }
        return reply
    }

    func login(_ user: String, password: String) async throws -> String {
        let reply = try await send("POST", "/api/v1/sessions", json: LoginRequest(username: user, password: password))
        return try CRMJSON.decoder().decode(LoginResponse.self, from: try expect(reply, 201, "login").body).token
    }

    /// Registers a device and begins a sync session on it; returns the device and the session.
    func beginSession(token: String, device name: String) async throws -> (device: String, session: String) {
        let registered = try await send("POST", "/api/v1/devices", token: token, json: DeviceRegistration(name: name))
        let device = try CRMJSON.decoder().decode(Device.self, from: try expect(registered, 201, "device").body).id
        return (device, try await begin(token: token, device: device))
    }

    func begin(token: String, device: String) async throws -> String {
        let begun = try await send(
            "POST", "/api/v1/sync/begin", token: token, json: SyncBeginRequest(device: device, timeZone: "UTC"))
        return try CRMJSON.decoder().decode(SyncBeginResponse.self, from: try expect(begun, 201, "begin").body).session
    }

    /// Pulls every page; returns the last cursor.
    func pullAll(token: String, session: String) async throws -> String {
        var cursor: String?
        while true {
            let reply = try await send(
                "POST", "/api/v1/sync/pull", token: token, json: SyncPullRequest(session: session, cursor: cursor))
            let page = try CRMJSON.decoder().decode(SyncPage.self, from: try expect(reply, 200, "pull").body)
            cursor = page.cursor
            if !page.more { return page.cursor }
        }
    }

    /// A long-poll: whether changes arrived before `timeout` seconds.
    func wait(token: String, session: String, cursor: String, timeout: Double) async throws -> Bool {
        let reply = try await send(
            "POST", "/api/v1/sync/wait", token: token,
            json: SyncWaitRequest(session: session, cursor: cursor, timeout: timeout))
        return try CRMJSON.decoder().decode(SyncWaitResponse.self, from: try expect(reply, 200, "wait").body).changed
    }

    /// A push's answer as the node sent it.
    func push(token: String, session: String, ops: [SyncOp]) async throws -> Reply {
        try expect(
            try await send("POST", "/api/v1/sync/push", token: token, json: SyncPushRequest(session: session, ops: ops)),
            200, "push")
    }

    /// Creates a record through the REST API; returns its id.
    func create(_ type: String, _ fields: [String: FieldValue], token: String) async throws -> String {
        let reply = try await send("POST", "/api/v1/records/\(type)", token: token, json: RecordWrite(fields: fields))
        return try CRMJSON.decoder().decode(Record.self, from: try expect(reply, 201, "create").body).id
    }
}
