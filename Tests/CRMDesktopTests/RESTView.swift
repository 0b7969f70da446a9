import CRMModel
import CRMSyncProtocol
import Foundation
#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// What the server shows one user through its REST API (`/api/v1/records`, `/api/v1/conflicts`): the view the
/// fault and convergence tests compare replicas with, read over loopback HTTP like any client reads it.
struct RESTView {
    let url: String
    let token: String

    enum Failure: Error, CustomStringConvertible {
        case refused(String, Int, String)
        var description: String {
            switch self {
            case .refused(let route, let status, let body): "\(route) answered \(status): \(body.prefix(300))"
            }
        }
    }

    /// Logs in as `user` with a password.
    static func login(_ url: String, user: String, password: String) async throws -> RESTView {
        let body = try CRMJSON.encoder().encode(LoginRequest(username: user, password: password))
        let data = try await send(url, "POST", "/api/v1/sessions", body: body, token: nil)
        return RESTView(url: url, token: try CRMJSON.decoder().decode(LoginResponse.self, from: data).token)
    }

    /// Every live record of `type` the user may see, every page followed, by id.
    func records(_ type: String) async throws -> [String: Record] {
        try await pages("/api/v1/records/\(type)?limit=1000")
    }

    /// Every conflict record of the user (open and resolved), by id.
    func conflicts() async throws -> [String: Record] {
        try await pages("/api/v1/conflicts?limit=1000")
    }

    private func pages(_ path: String) async throws -> [String: Record] {
        var result: [String: Record] = [:]
        var cursor: String?
        repeat {
            let query = cursor.map { "&cursor=" + ($0.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? $0) }
            let data = try await Self.send(url, "GET", path + (query ?? ""), body: nil, token: token)
            let page = try CRMJSON.decoder().decode(RecordList.self, from: data)
            for record in page.records { result[record.id] = record }
            cursor = page.nextCursor
        } while cursor != nil
        return result
    }

    private static func send(_ url: String, _ method: String, _ path: String, body: Data?, token: String?) async throws
        -> Data
    {
        var request = URLRequest(url: URL(string: url + path)!)
        request.httpMethod = method
        request.httpBody = body
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.setValue(String(ProtocolVersion.current), forHTTPHeaderField: ProtocolVersion.header)
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        let (data, response) = try await URLSession.shared.data(for: request)
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        guard (200..<300).contains(status) else {
            throw Failure.refused("\(method) \(path)", status, String(decoding: data, as: UTF8.self))
        }
        return data
    }
}
