import CRMTesting
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore

/// A browser's view of the web UI for tests: real HTTP to the test server, the session cookie kept between
/// requests like a browser keeps it, forms sent url-encoded with the CSRF token read from the last page.
struct WebBrowserSession: Sendable {
    let api: TestAPI
    var cookie: String?
    /// The CSRF token of the last page that had a form.
    var csrf: String?

    struct Page: Sendable {
        let status: HTTPResponse.Status
        let headers: HTTPFields
        let html: String
        var location: String? { headers[.location] }
    }

    init(_ api: TestAPI) { self.api = api }

    /// Logs in through the login form; the session cookie is kept.
    static func login(_ api: TestAPI, _ user: String, password: String = TestServer.password) async throws
        -> WebBrowserSession
    {
        var session = WebBrowserSession(api)
        let page = try await session.post("/login", ["username": user, "password": password], csrf: false)
        guard page.status == .seeOther else { throw LoginFailed(status: page.status, html: page.html) }
        _ = try await session.get("/home")
        return session
    }

    struct LoginFailed: Error {
        let status: HTTPResponse.Status
        let html: String
    }

    mutating func get(_ path: String) async throws -> Page {
        try await send(.get, path, body: nil)
    }

    /// Sends a form; with `csrf` the token of the last page is added as a form would carry it.
    mutating func post(_ path: String, _ fields: KeyValuePairs<String, String>, csrf: Bool = true) async throws -> Page
    {
        var pairs = fields.map { ($0.key, $0.value) }
        if csrf, let token = self.csrf { pairs.append(("csrf", token)) }
        return try await send(.post, path, body: Self.encode(pairs))
    }

    /// Sends a form of exactly these pairs (no token added).
    mutating func postRaw(_ path: String, _ pairs: [(String, String)]) async throws -> Page {
        try await send(.post, path, body: Self.encode(pairs))
    }

    /// Sends a `multipart/form-data` form, as a browser does for a form with a file: `files` are (field, file
    /// name, content); the CSRF token of the last page is added.
    mutating func postMultipart(_ path: String, _ fields: [(String, String)], files: [(String, String, String)])
        async throws -> Page
    {
        let boundary = "----crm-test-\(UUID().uuidString)"
        var body = ""
        for (name, value) in fields + (csrf.map { [("csrf", $0)] } ?? []) {
            body += "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n"
        }
        for (name, file, content) in files {
            body +=
                "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"; filename=\"\(file)\"\r\n"
                + "Content-Type: application/yaml\r\n\r\n\(content)\r\n"
        }
        body += "--\(boundary)--\r\n"
        return try await send(.post, path, body: body, contentType: "multipart/form-data; boundary=\(boundary)")
    }

    static func encode(_ pairs: [(String, String)]) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        let escape = { (text: String) in text.addingPercentEncoding(withAllowedCharacters: allowed)! }
        return pairs.map { "\(escape($0.0))=\(escape($0.1))" }.joined(separator: "&")
    }

    private mutating func send(
        _ method: HTTPRequest.Method, _ path: String, body: String?,
        contentType: String = "application/x-www-form-urlencoded"
    ) async throws -> Page {
        var headers: HTTPFields = [:]
        if let cookie { headers[.cookie] = cookie }
        if body != nil { headers[.contentType] = contentType }
        let response = try await api.client.executeRequest(
            uri: path, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) })
        if let set = response.headers[.setCookie], let pair = set.split(separator: ";").first {
            cookie = pair.hasSuffix("=") ? nil : String(pair)
        }
        let html = String(buffer: response.body)
        if let range = html.range(of: #"name="csrf" value="[0-9a-f]+""#, options: .regularExpression) {
            csrf = String(html[range].dropFirst(#"name="csrf" value=""#.count).dropLast())
        }
        return Page(status: response.status, headers: response.headers, html: html)
    }
}
