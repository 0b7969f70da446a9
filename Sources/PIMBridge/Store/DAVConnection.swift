import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat

/// The HTTP requests of a DAV store: Basic auth on every request, bodies collected, transport failures turned into
/// `PIMStoreError.unreachable`. Redirects are followed (by the client, or here when the client does not).
struct DAVConnection: Sendable {
    enum Method: String, Sendable {
        case GET, PUT, DELETE, PROPFIND, REPORT, MKCOL, MKCALENDAR
    }

    /// A server's answer: status, headers that matter, body, and the URL that answered (after redirects).
    struct Answer: Sendable {
        var status: Int
        var etag: String?
        var location: String?
        var body: Data
        var url: URL

        var isSuccess: Bool { (200..<300).contains(status) }
        var text: String { String(decoding: body, as: UTF8.self) }
    }

    let httpClient: HTTPClient
    let user: String?
    let authorization: String?
    let storeName: String
    let timeout: TimeAmount
    /// The largest answer read (a multiget of 100 items with photos stays well below).
    var maximumBody = 64 << 20

    init(httpClient: HTTPClient, user: String?, password: String?, storeName: String, timeout: TimeAmount) {
        self.httpClient = httpClient
        self.timeout = timeout
        self.user = user
        self.storeName = storeName
        if let user {
            authorization = "Basic " + Data("\(user):\(password ?? "")".utf8).base64EncodedString()
        } else {
            authorization = nil
        }
    }

    func send(
        _ method: Method, _ url: URL, headers: [(String, String)] = [], body: Data? = nil,
        collection: PIMCollection? = nil
    ) async throws -> Answer {
        var target = url
        for _ in 0..<5 {
            let answer = try await sendOnce(method, target, headers: headers, body: body, collection: collection)
            guard [301, 302, 307, 308].contains(answer.status), let location = answer.location,
                let next = URL(string: location, relativeTo: answer.url)?.absoluteURL, next != target
            else { return answer }
            target = next
        }
        return try await sendOnce(method, target, headers: headers, body: body, collection: collection)
    }

    private func sendOnce(
        _ method: Method, _ url: URL, headers: [(String, String)], body: Data?, collection: PIMCollection?
    ) async throws -> Answer {
        var request = HTTPClientRequest(url: url.absoluteString)
        switch method {
        case .GET: request.method = .GET
        case .PUT: request.method = .PUT
        case .DELETE: request.method = .DELETE
        case .PROPFIND: request.method = .PROPFIND
        case .REPORT: request.method = .REPORT
        case .MKCOL: request.method = .MKCOL
        case .MKCALENDAR: request.method = .MKCALENDAR
        }
        if let authorization { request.headers.add(name: "Authorization", value: authorization) }
        request.headers.add(name: "User-Agent", value: "crm-desktop")
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(ByteBuffer(data: body)) }
        do {
            let response = try await httpClient.execute(request, timeout: timeout)
            let buffer = try await response.body.collect(upTo: maximumBody)
            return Answer(
                status: Int(response.status.code), etag: response.headers.first(name: "ETag"),
                location: response.headers.first(name: "Location"), body: Data(buffer: buffer),
                url: response.url ?? url)
        } catch is CancellationError {
            throw CancellationError()
        } catch let error as PIMStoreError {
            throw error
        } catch {
            throw PIMStoreError(
                .unreachable, store: storeName, collection: collection,
                detail: "no answer to \(method.rawValue) \(url.absoluteString)",
                advice: "Check the server address and the network, then sync again", cause: error)
        }
    }

    /// The error for an answer that is not what the request wanted, with what the server said.
    func failure(_ answer: Answer, doing what: String, collection: PIMCollection?) -> PIMStoreError {
        switch answer.status {
        case 401:
            return PIMStoreError(
                .unauthorized, store: storeName, collection: collection,
                detail: user.map { "the server refused the user name \"\($0)\" or its password (\(what))" }
                    ?? "the server asks for a user name and password (\(what))",
                advice: "Check the user (`--pim-user`) and the password, then run `crm-desktop pim set` again")
        case 403:
            return PIMStoreError(
                .refused(status: 403, message: answer.briefText), store: storeName, collection: collection,
                detail: "the server forbids this user to \(what)",
                advice: "Check the user's rights on the server")
        case 500...:
            return PIMStoreError(
                .refused(status: answer.status, message: answer.briefText), store: storeName, collection: collection,
                detail: "the server failed to \(what) (HTTP \(answer.status))", advice: "Try again later")
        default:
            return PIMStoreError(
                .refused(status: answer.status, message: answer.briefText), store: storeName, collection: collection,
                detail: "the server refused to \(what) (HTTP \(answer.status)"
                    + (answer.briefText.isEmpty ? ")" : ": \(answer.briefText))"))
        }
    }
}

extension DAVConnection.Answer {
    /// The start of a plain-text body, for messages.
    var briefText: String {
        let text = self.text.trimmingCharacters(in: .whitespacesAndNewlines)
        if text.hasPrefix("<") { return "" }
        return String(text.prefix(200))
    }
}
