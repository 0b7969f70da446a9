import CRMModel
import CRMTesting
import Foundation
import HTTPTypes

/// The probes of `WebHostileProbeTests`, the web UI's hostile client: each page or form naming another user's
/// record or conflict is sent again naming an unknown id of the same form (once per user and kind of request,
/// then remembered), and the two answers must be the same once the ids are swapped for a placeholder. Pages
/// that show records (lists, Find, forms' choices, detail pages, CSV exports, receipts) must name only what the
/// caller may see. Differences are collected as leaks; `count` is the number of probes sent.
struct WebHostileProbe {
    let world: HostileWorld
    /// Each demo user's browser, logged in through the login form (cookie and CSRF token kept).
    let browsers: [String: WebBrowserSession]
    var count = 0
    var leaks: [String] = []
    /// The answer to each kind of request naming an unknown id, normalised.
    private var baselines: [String: Answer] = [:]

    init(world: HostileWorld, browsers: [String: WebBrowserSession]) {
        self.world = world
        self.browsers = browsers
    }

    /// A page with the probed ids and the session's CSRF token replaced, and the headers that differ between
    /// any two answers (date, request id) left out.
    struct Answer: Equatable, CustomStringConvertible {
        var status: Int
        var headers: [String]
        var body: String

        init(_ page: WebBrowserSession.Page, ids: [String], csrf: String?) {
            status = page.status.code
            let swap = { (text: String) in
                (ids + (csrf.map { [$0] } ?? [])).reduce(text) { $0.replacingOccurrences(of: $1, with: "<id>") }
            }
            headers = page.headers.filter { $0.name != .date && $0.name.canonicalName != "x-request-id" }
                .map { "\($0.name): \(swap($0.value))" }.sorted()
            body = swap(page.html)
        }

        var description: String { "\(status) \(headers.joined(separator: ", ")) \(body.suffix(400))" }
    }

    /// Sends `request(hidden)` as `user` and compares it with `request(unknown)` (sent once per user and `kind`).
    mutating func compare(
        _ user: String, _ kind: String, hidden: String, unknown: String, what: String,
        _ request: (String) async throws -> WebBrowserSession.Page
    ) async throws {
        count += 1
        let kind = "\(user) \(kind)"
        let csrf = browsers[user]?.csrf
        let answer = Answer(try await request(hidden), ids: [hidden], csrf: csrf)
        let baseline: Answer
        if let known = baselines[kind] {
            baseline = known
        } else {
            baseline = Answer(try await request(unknown), ids: [unknown], csrf: csrf)
            baselines[kind] = baseline
        }
        if answer != baseline {
            leaks.append("\(kind) on \(what): hidden answers \(answer), unknown answers \(baseline)")
        }
    }

    /// Records the ids a page named that `user` may not see (ids of records created by a probe are not in the
    /// world and pass).
    mutating func expectVisible(_ user: String, _ ids: [String], in what: String) {
        count += 1
        for id in ids {
            guard let record = world.records[id] else { continue }
            if !world.maySee(user, record) {
                leaks.append("\(what) of \(user) names \(record.type) \(id) of \(record.owner)")
            }
        }
    }

    /// The record ids a page names: links to records and the options of reference selects.
    static func recordIDs(in html: String) -> [String] {
        (matches(#"href="/records/[A-Za-z]+/([0-9A-Za-z-]+)"#, in: html)
            + matches(#"<option value="([0-9A-Za-z-]+)""#, in: html)).filter(RecordID.isCanonical)
    }

    static func unknownRecord() -> String { RecordID.make() }

    /// The browser of `user` (a copy: cookie and CSRF token stay the same for the whole session).
    func browser(_ user: String) -> WebBrowserSession { browsers[user]! }

    /// GET `path` as `user`.
    func get(_ user: String, _ path: String) async throws -> WebBrowserSession.Page {
        var browser = browser(user)
        return try await browser.get(path)
    }

    /// POST a url-encoded form as `user`, with the session's CSRF token.
    func post(_ user: String, _ path: String, _ pairs: [(String, String)]) async throws -> WebBrowserSession.Page {
        var browser = browser(user)
        return try await browser.postRaw(path, pairs + [("csrf", browser.csrf ?? "")])
    }

    /// Every page of a list, following its "Next page" links.
    func allPages(_ user: String, _ path: String) async throws -> [WebBrowserSession.Page] {
        var pages: [WebBrowserSession.Page] = []
        var next: String? = path
        while let path = next, pages.count < 100 {
            let page = try await get(user, path)
            pages.append(page)
            next = page.html.range(of: #"<a href="[^"]+" rel="next">"#, options: .regularExpression).map {
                String(page.html[$0].dropFirst(#"<a href=""#.count).prefix { $0 != "\"" })
                    .replacingOccurrences(of: "&amp;", with: "&")
            }
        }
        return pages
    }
}
