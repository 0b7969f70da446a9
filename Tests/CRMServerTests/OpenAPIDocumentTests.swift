import CRMModel
import CRMServer
import CRMStore
import CRMSyncProtocol
import CRMTesting
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Testing
import Yams

/// The OpenAPI document (`Sources/CRMServer/Resources/openapi.yaml`) is true: it describes every route of the
/// router and no other, and what the live server answers matches the statuses, headers and schemas it documents.
struct OpenAPIDocumentTests {
    @Test func documentIsOpenAPI31() throws {
        let document = try OpenAPIDocument.load()
        let version = try #require(document.root["openapi"] as? String)
        #expect(version.hasPrefix("3.1"), "openapi is \(version)")
        #expect(!document.operations.isEmpty)
        for (route, operation) in document.operations {
            #expect(operation["operationId"] is String, "\(route) has no operationId")
            #expect(operation["summary"] is String, "\(route) has no summary")
            #expect(!document.responses(of: route).isEmpty, "\(route) lists no responses")
        }
    }

    @Test func documentDescribesEveryRouteOfTheRouterAndNoOther() async throws {
        let server = try await TestServer.make()
        defer { server.directory.remove() }
        let router = CRMApplication.router(
            store: server.store, configuration: server.configuration, logger: Logger(label: "openapi-test"))
        let routed = Set(
            router.routes.map { "\($0.method.rawValue) \(OpenAPIDocument.normalised($0.path.description))" })
        let documented = Set(try OpenAPIDocument.load().operations.keys)
        #expect(!routed.isEmpty)
        for route in routed.subtracting(documented).sorted() {
            Issue.record("the router has \(route), which openapi.yaml does not describe")
        }
        for route in documented.subtracting(routed).sorted() {
            Issue.record("openapi.yaml describes \(route), which the router does not have")
        }
    }

    @Test func documentIsServedAsYAML() async throws {
        let file = try String(contentsOf: OpenAPIDocument.file, encoding: .utf8)
        try await TestServer.make().run { api in
            let reply = try await api.send(.get, "/api/v1/openapi.yaml")
            #expect(reply.status == .ok)
            #expect(reply.headers[.contentType]?.hasPrefix("application/yaml") == true)
            let same = reply.text == file
            #expect(same, "the served document differs from Sources/CRMServer/Resources/openapi.yaml")
        }
    }

    @Test func securedOperationsRefuseRequestsWithoutAToken() async throws {
        try await TestServer.make().run { api in
            let document = try OpenAPIDocument.load()
            for (route, operation) in document.operations.sorted(by: { $0.key < $1.key }) {
                let parts = route.split(separator: " ", maxSplits: 1).map(String.init)
                let path = parts[1].replacingOccurrences(of: "{type}", with: "Account")
                    .replacingOccurrences(of: "{id}", with: RecordID.make())
                    .replacingOccurrences(of: "{record}", with: RecordID.make())
                    .replacingOccurrences(of: "{sha256}", with: String(repeating: "ab", count: 32))
                let reply = try await api.send(HTTPRequest.Method(parts[0])!, path)
                let open = (operation["security"] as? [Any])?.isEmpty == true
                #expect((reply.status == .unauthorized) != open, "\(route) without a token answered \(reply.status)")
                document.check(reply, route)
            }
        }
    }

    @Test func throttledLoginAnswersAsDocumented() async throws {
        let configuration = ServerConfiguration(bcryptCost: 4, throttle: ThrottlePolicy(maxFailures: 1))
        try await TestServer.make(configuration: configuration).run { api in
            let document = try OpenAPIDocument.load()
            var statuses: [HTTPResponse.Status] = []
            for _ in 1...3 {
                let wrong = LoginRequest(username: "rita", password: "wrong")
                let reply = try await api.send(.post, "/api/v1/sessions", json: wrong)
                document.check(reply, "POST /api/v1/sessions")
                statuses.append(reply.status)
            }
            #expect(statuses.last == .tooManyRequests, "\(statuses)")
        }
    }

    @Test func everyOperationAnswersAsDocumented() async throws {
        try await TestServer.make().run { api in
            let document = try OpenAPIDocument.load()
            var exercised: Set<String> = []
            /// Sends a request of `route`, expects `status` and checks the answer against the document.
            @discardableResult func call(
                _ status: HTTPResponse.Status, _ route: String, _ path: String, token: String? = nil,
                body: String? = nil, headers: HTTPFields = [:], sourceLocation: SourceLocation = #_sourceLocation
            ) async throws -> TestAPI.Reply {
                let method = HTTPRequest.Method(String(route.prefix { $0 != " " }))!
                let reply = try await api.send(method, path, token: token, body: body, headers: headers)
                exercised.insert(route)
                #expect(reply.status == status, "\(route): \(reply.text)", sourceLocation: sourceLocation)
                document.check(reply, route, sourceLocation: sourceLocation)
                return reply
            }
            let health = "GET /healthz", spec = "GET /api/v1/openapi.yaml"
            let login = "POST /api/v1/sessions", logout = "DELETE /api/v1/sessions", package = "GET /api/v1/package"
            let list = "GET /api/v1/records/{type}", create = "POST /api/v1/records/{type}"
            let read = "GET /api/v1/records/{type}/{id}", update = "PATCH /api/v1/records/{type}/{id}"
            let delete = "DELETE /api/v1/records/{type}/{id}"

            try await call(.ok, health, "/healthz")
            try await call(.upgradeRequired, health, "/healthz", headers: [.crmProtocol: "0"])
            try await call(.badRequest, health, "/healthz", headers: [.crmProtocol: "one"])
            try await call(.ok, spec, "/api/v1/openapi.yaml")
            try await call(.ok, "GET /readyz", "/readyz")
            let metrics = try await call(.ok, "GET /metrics", "/metrics")
            #expect(metrics.text.contains("crm_http_requests_total"))

            let wrong = #"{"username": "maria", "password": "wrong"}"#
            try await call(.unauthorized, login, "/api/v1/sessions", body: wrong)
            try await call(.badRequest, login, "/api/v1/sessions", body: "{")
            let credentials = #"{"username": "maria", "password": "\#(TestServer.password)"}"#
            let session = try await call(.created, login, "/api/v1/sessions", body: credentials)
            let token = try session.decode(LoginResponse.self).token

            try await call(.ok, package, "/api/v1/package", token: token)
            let accounts = "/api/v1/records/Account"
            try await call(.ok, list, accounts + "?limit=5&sort=-name", token: token)
            try await call(.badRequest, list, accounts + "?limit=0", token: token)
            try await call(.notFound, list, "/api/v1/records/Nothing", token: token)

            let acme = #"{"fields": {"name": "Acme"}}"#
            let created = try await call(.created, create, accounts, token: token, body: acme)
            let record = try created.decode(Record.self)
            #expect(created.headers[.location] == "\(accounts)/\(record.id)")
            let invalid = try await call(
                .unprocessableContent, create, accounts, token: token, body: #"{"fields": {"employees": -1}}"#)
            #expect(invalid.issueFields.contains("name"))

            let address = "\(accounts)/\(record.id)"
            try await call(.ok, read, address, token: token)
            try await call(.notFound, read, "\(accounts)/\(RecordID.make())", token: token)
            let change = #"{"fields": {"city": "Berlin"}}"#
            let updated = try await call(.ok, update, address, token: token, body: change, headers: [.ifMatch: "\"1\""])
            #expect(updated.headers[.eTag] == "\"2\"")
            let stale = try await call(
                .preconditionFailed, update, address, token: token, body: change, headers: [.ifMatch: "\"1\""])
            #expect(stale.json["current"] is [String: Any])
            try await call(.preconditionFailed, delete, address, token: token, headers: [.ifMatch: "\"1\""])
            let deleted = try await call(.ok, delete, address, token: token, headers: [.ifMatch: "\"2\""])
            #expect(deleted.json["deleted"] as? [String] == [record.id])
            try await call(.notFound, read, address, token: token)

            let importCSV = "POST /api/v1/records/{type}/import", exportCSV = "GET /api/v1/records/{type}/export"
            let csv: HTTPFields = [.contentType: "text/csv"]
            try await call(.ok, importCSV, accounts + "/import?dryRun=true", token: token, body: "name\nInitech\n", headers: csv)
            try await call(.badRequest, importCSV, accounts + "/import", token: token, body: "planet\nMars\n", headers: csv)
            try await call(.notFound, importCSV, "/api/v1/records/Nothing/import", token: token, body: "name\nA\n", headers: csv)
            try await call(.ok, exportCSV, accounts + "/export", token: token)
            try await call(.notFound, exportCSV, "/api/v1/records/Nothing/export", token: token)
            let search = "GET /api/v1/search/{type}"
            _ = try await api.create("Account", ["name": "Acme Search"], token: token)
            let found = try await call(.ok, search, "/api/v1/search/Account?q=acm&limit=5", token: token)
            #expect((found.json["results"] as? [Any])?.count == 1)
            try await call(.badRequest, search, "/api/v1/search/Account?q=%20", token: token)
            try await call(.notFound, search, "/api/v1/search/Nothing?q=acme", token: token)

            let devices = "GET /api/v1/devices", register = "POST /api/v1/devices"
            let revoke = "DELETE /api/v1/devices/{id}"
            let registered = try await call(
                .created, register, "/api/v1/devices", token: token, body: #"{"name": "pc"}"#)
            let device = try registered.decode(Device.self)
            try await call(.badRequest, register, "/api/v1/devices", token: token, body: #"{"name": ""}"#)
            try await call(.ok, devices, "/api/v1/devices", token: token)
            try await call(.badRequest, devices, "/api/v1/devices?all=yes", token: token)
            let password = #""username": "maria", "password": "\#(TestServer.password)""#
            let deviceLogin = #"{\#(password), "device": "\#(device.id)"}"#
            let bound = try await call(.created, login, "/api/v1/sessions", body: deviceLogin)
            let refreshToken = try #require(try bound.decode(LoginResponse.self).refreshToken)
            let refresh = #"{"refreshToken": "\#(refreshToken)"}"#
            try await call(.created, login, "/api/v1/sessions", body: refresh)
            let unknownDevice = #"{\#(password), "device": "\#(RecordID.make())"}"#
            try await call(.notFound, login, "/api/v1/sessions", body: unknownDevice)
            let fetch = "PUT /api/v1/devices/{id}/fetched/{record}", drop = "DELETE /api/v1/devices/{id}/fetched/{record}"
            let wanted = try await api.create("Account", ["name": "Fetched"], token: token)
            try await call(.ok, fetch, "/api/v1/devices/\(device.id)/fetched/\(wanted.id)", token: token)
            try await call(.notFound, fetch, "/api/v1/devices/\(device.id)/fetched/\(RecordID.make())", token: token)
            try await call(.noContent, drop, "/api/v1/devices/\(device.id)/fetched/\(wanted.id)", token: token)
            try await call(.notFound, drop, "/api/v1/devices/\(RecordID.make())/fetched/\(wanted.id)", token: token)
            try await call(.notFound, revoke, "/api/v1/devices/\(RecordID.make())", token: token)
            try await call(.ok, revoke, "/api/v1/devices/\(device.id)", token: token)
            let revoked = try await call(.forbidden, login, "/api/v1/sessions", body: refresh)
            #expect(revoked.errorCode == "revoked")
            let peter = try await api.login("peter")
            try await call(.forbidden, devices, "/api/v1/devices?all=true", token: peter)

            let begin = "POST /api/v1/sync/begin", pull = "POST /api/v1/sync/pull", push = "POST /api/v1/sync/push"
            let end = "POST /api/v1/sync/end", wait = "POST /api/v1/sync/wait", receipts = "GET /api/v1/sync/sessions"
            let syncLog = "GET /api/v1/admin/sync-sessions", conflicts = "GET /api/v1/conflicts"
            let resolve = "POST /api/v1/conflicts/{id}/resolve"
            let laptop = try await api.registerDevice("laptop", token: token)
            try await call(.notFound, begin, "/api/v1/sync/begin", token: token,
                body: #"{"protocolVersion": 1, "device": "\#(RecordID.make())", "timeZone": "UTC"}"#)
            try await call(.badRequest, begin, "/api/v1/sync/begin", token: token,
                body: #"{"protocolVersion": 1, "device": "\#(laptop.id)", "timeZone": "Mars/Olympus"}"#)
            try await call(.unprocessableContent, begin, "/api/v1/sync/begin", token: token,
                body: #"{"protocolVersion": 1, "device": "\#(laptop.id)", "timeZone": "UTC", "filter": "nothing"}"#)
            let begun = try await call(.created, begin, "/api/v1/sync/begin", token: token,
                body: #"{"protocolVersion": 1, "device": "\#(laptop.id)", "timeZone": "Europe/Berlin"}"#)
            let syncSession = try begun.decode(SyncBeginResponse.self).session
            let page = try await call(.ok, pull, "/api/v1/sync/pull", token: token,
                body: #"{"protocolVersion": 1, "session": "\#(syncSession)"}"#)
            let cursor = try page.decode(SyncPage.self).cursor
            try await call(.conflict, pull, "/api/v1/sync/pull", token: token,
                body: #"{"protocolVersion": 1, "session": "\#(syncSession)", "cursor": "forged"}"#)
            try await call(.badRequest, pull, "/api/v1/sync/pull", token: token,
                body: #"{"protocolVersion": 1, "session": "\#(syncSession)", "limit": 0}"#)
            let mine = try await api.create("Opportunity", ["name": "Deal", "stage": "Proposal"], token: token)
            let op = SyncOp(
                opId: "op-1", kind: .update, type: "Opportunity", id: mine.id, baseVersion: 1,
                fields: ["stage": "Negotiation"], editedAt: Date())
            let pushBody = String(decoding: try CRMJSON.encoder().encode(SyncPushRequest(session: syncSession, ops: [op])), as: UTF8.self)
            try await call(.ok, push, "/api/v1/sync/push", token: token, body: pushBody)
            try await call(.badRequest, push, "/api/v1/sync/push", token: token, body: #"{"protocolVersion": 1}"#)
            try await call(.ok, wait, "/api/v1/sync/wait", token: token,
                body: #"{"protocolVersion": 1, "session": "\#(syncSession)", "cursor": "\#(cursor)", "timeout": 0}"#)
            try await call(.ok, end, "/api/v1/sync/end", token: token,
                body: #"{"protocolVersion": 1, "session": "\#(syncSession)", "counts": {"pulled": 0, "pushed": 1, "applied": 1, "merged": 0, "conflicts": 0, "rejected": 0}}"#)
            try await call(.conflict, end, "/api/v1/sync/end", token: token,
                body: #"{"protocolVersion": 1, "session": "\#(syncSession)", "counts": {"pulled": 0, "pushed": 0, "applied": 0, "merged": 0, "conflicts": 0, "rejected": 0}}"#)
            try await call(.ok, receipts, "/api/v1/sync/sessions?limit=5", token: token)
            try await call(.badRequest, receipts, "/api/v1/sync/sessions?limit=0", token: token)
            try await call(.forbidden, syncLog, "/api/v1/admin/sync-sessions", token: token)
            let admin = try await api.login("ada")
            try await call(.ok, syncLog, "/api/v1/admin/sync-sessions?user=maria&errors=false", token: admin)

            // A stage moved two ways (manual policy) leaves an open conflict to resolve.
            var rival = try await TestDesktop.connect(api, "maria", name: "tablet")
            try await rival.begin()
            let racing = SyncOp(
                opId: "op-2", kind: .update, type: "Opportunity", id: mine.id, baseVersion: 1,
                fields: ["stage": "Qualification"], editedAt: Date())
            let raced = try await rival.push([racing])
            let conflict = try #require(raced.first?.conflicts?.first)
            try await call(.ok, conflicts, "/api/v1/conflicts?status=open", token: token)
            try await call(.badRequest, conflicts, "/api/v1/conflicts?status=maybe", token: token)
            try await call(.badRequest, resolve, "/api/v1/conflicts/\(conflict.id)/resolve", token: token, body: #"{"choose": "value"}"#)
            try await call(.notFound, resolve, "/api/v1/conflicts/\(RecordID.make())/resolve", token: token, body: #"{"choose": "server"}"#)
            try await call(.ok, resolve, "/api/v1/conflicts/\(conflict.id)/resolve", token: token, body: #"{"choose": "client"}"#)

            let me = "GET /api/v1/me", head = "HEAD /api/v1/attachments/{sha256}"
            let upload = "PUT /api/v1/attachments/{sha256}", download = "GET /api/v1/attachments/{sha256}"
            try await call(.ok, me, "/api/v1/me", token: token)
            let text = String(repeating: "The attachment's bytes. ", count: 100)
            let sha = SHA256Digest.hex(of: Data(text.utf8))
            let file = "/api/v1/attachments/\(sha)"
            let octets: HTTPFields = [.contentType: "application/octet-stream", .uploadLength: String(text.utf8.count)]
            try await call(.badRequest, head, "/api/v1/attachments/nothex", token: token)
            let unheld = try await call(.notFound, head, file, token: token)
            #expect(unheld.headers[.uploadOffset] == "0")
            try await call(.badRequest, upload, "/api/v1/attachments/nothex", token: token, body: text, headers: octets)
            var tooLarge = octets
            tooLarge[.uploadLength] = String(6 << 20)
            try await call(.contentTooLarge, upload, file, token: token, body: "", headers: tooLarge)
            let otherSha = SHA256Digest.hex(of: Data("other".utf8))
            try await call(
                .unprocessableContent, upload, "/api/v1/attachments/\(otherSha)", token: token, body: text, headers: octets)
            try await call(.accepted, upload, file, token: token, body: String(text.prefix(1000)), headers: octets)
            var resume = octets
            resume[.uploadOffset] = "10"
            try await call(.conflict, upload, file, token: token, body: String(text.dropFirst(10)), headers: resume)
            resume[.uploadOffset] = "1000"
            try await call(.created, upload, file, token: token, body: String(text.dropFirst(1000)), headers: resume)
            try await call(.ok, upload, file, token: token, body: "", headers: octets)
            try await call(.ok, head, file, token: token)
            try await call(.notFound, download, file, token: token)
            let listing = #"[{"sha256": "\#(sha)", "name": "notes.txt", "mediaType": "application/octet-stream", "size": \#(text.utf8.count)}]"#
            try await call(
                .created, create, "/api/v1/records/Activity", token: token,
                body: #"{"fields": {"subject": "Notes", "display": "email", "attachments": \#(listing)}}"#)
            try await call(.ok, download, file, token: token)
            try await call(.partialContent, download, file, token: token, headers: [.range: "bytes=100-"])
            try await call(.rangeNotSatisfiable, download, file, token: token, headers: [.range: "bytes=999999-"])
            try await call(.badRequest, download, "/api/v1/attachments/nothex", token: token)

            try await call(.noContent, logout, "/api/v1/sessions", token: token)
            try await call(.unauthorized, package, "/api/v1/package", token: token)

            for route in Set(document.operations.keys).subtracting(exercised).sorted() {
                Issue.record("\(route) is documented but this test does not exercise it")
            }
        }
    }
}

/// The OpenAPI document as plain dictionaries, with the look-ups the tests need.
struct OpenAPIDocument {
    /// The resource file in the source tree, which the server's bundle copies.
    static let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Sources/CRMServer/Resources/openapi.yaml")
    static let methods = ["get", "put", "post", "delete", "options", "head", "patch", "trace"]

    let root: [String: Any]
    /// Operations by `METHOD /path`, paths with `{name}` captures.
    let operations: [String: [String: Any]]

    static func load() throws -> OpenAPIDocument {
        let loaded = try #require(try Yams.load(yaml: String(contentsOf: file, encoding: .utf8)))
        let root = try #require(stringKeyed(loaded) as? [String: Any], "openapi.yaml is not a mapping")
        var operations: [String: [String: Any]] = [:]
        for (path, item) in root["paths"] as? [String: Any] ?? [:] {
            for method in methods {
                if let operation = (item as? [String: Any])?[method] as? [String: Any] {
                    operations["\(method.uppercased()) \(normalised(path))"] = operation
                }
            }
        }
        return OpenAPIDocument(root: root, operations: operations)
    }

    /// A route path with captures as `{name}`, whether written `{name}` or `:name`.
    static func normalised(_ path: String) -> String {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false).map { part in
            part.hasPrefix(":") ? "{\(part.dropFirst())}" : String(part)
        }
        return parts.joined(separator: "/")
    }

    /// YAML mappings with their keys as text (an unquoted `200:` is a number to YAML).
    static func stringKeyed(_ value: Any) -> Any {
        if let mapping = value as? [AnyHashable: Any] {
            return Dictionary(uniqueKeysWithValues: mapping.map { ("\($0.key.base)", stringKeyed($0.value)) })
        }
        if let sequence = value as? [Any] { return sequence.map(stringKeyed) }
        return value
    }

    /// The node a local `$ref` points to, followed until it is no reference.
    func resolved(_ node: [String: Any]) -> [String: Any] {
        guard let reference = node["$ref"] as? String, reference.hasPrefix("#/") else { return node }
        var current: Any = root
        for key in reference.dropFirst(2).split(separator: "/") {
            let key = key.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
            guard let next = (current as? [String: Any])?[key] else { return [:] }
            current = next
        }
        return resolved(current as? [String: Any] ?? [:])
    }

    /// The responses of an operation by status, references resolved.
    func responses(of route: String) -> [String: [String: Any]] {
        let responses = operations[route]?["responses"] as? [String: Any] ?? [:]
        return responses.compactMapValues { ($0 as? [String: Any]).map(resolved) }
    }

    /// The top-level properties and required properties of a schema, through `$ref` and `allOf`.
    func shape(of schema: [String: Any]) -> (properties: Set<String>, required: Set<String>) {
        let schema = resolved(schema)
        var properties = Set((schema["properties"] as? [String: Any] ?? [:]).keys)
        var required = Set(schema["required"] as? [String] ?? [])
        for part in schema["allOf"] as? [[String: Any]] ?? [] {
            let inner = shape(of: part)
            properties.formUnion(inner.properties)
            required.formUnion(inner.required)
        }
        return (properties, required)
    }

    /// Records an issue for every way `reply` departs from what the document says `route` answers.
    func check(_ reply: TestAPI.Reply, _ route: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let what = "\(route) answered \(reply.status.code)"
        #expect(
            reply.headers[.crmProtocol] != nil, "\(what) without \(ProtocolVersion.header)",
            sourceLocation: sourceLocation)
        guard operations[route] != nil else {
            Issue.record("\(route) is not in the document", sourceLocation: sourceLocation)
            return
        }
        guard let response = responses(of: route)[String(reply.status.code)] else {
            let body = reply.text.prefix(300)
            Issue.record("\(what), a status the document does not list: \(body)", sourceLocation: sourceLocation)
            return
        }
        for (name, header) in response["headers"] as? [String: Any] ?? [:] {
            let header = resolved(header as? [String: Any] ?? [:])
            if header["required"] as? Bool == true, let field = HTTPField.Name(name) {
                #expect(
                    reply.headers[field] != nil, "\(what) without its \(name) header", sourceLocation: sourceLocation)
            }
        }
        // An answer to HEAD has the status and headers of the GET and no body.
        guard !route.hasPrefix("HEAD ") else { return }
        let content = response["content"] as? [String: Any] ?? [:]
        let mediaType = reply.headers[.contentType].map { String($0.prefix { $0 != ";" }) }
        guard let mediaType else {
            #expect(
                content.isEmpty && reply.text.isEmpty, "\(what) without a content type", sourceLocation: sourceLocation)
            return
        }
        guard let media = content[mediaType] as? [String: Any] else {
            Issue.record("\(what) as \(mediaType), which the document does not list", sourceLocation: sourceLocation)
            return
        }
        guard mediaType == "application/json" else { return }
        let schema = shape(of: media["schema"] as? [String: Any] ?? [:])
        let keys = Set(reply.json.keys)
        for key in keys.subtracting(schema.properties).sorted() {
            Issue.record("\(what) with '\(key)', which its schema does not have", sourceLocation: sourceLocation)
        }
        for key in schema.required.subtracting(keys).sorted() {
            Issue.record("\(what) without '\(key)', which its schema requires", sourceLocation: sourceLocation)
        }
    }
}

extension HTTPField.Name {
    fileprivate static let crmProtocol = Self(ProtocolVersion.header)!
    fileprivate static let uploadLength = Self(AttachmentHeader.uploadLength)!
    fileprivate static let uploadOffset = Self(AttachmentHeader.uploadOffset)!
}
