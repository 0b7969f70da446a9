import CRMModel
import CRMTesting
import Foundation
import Testing

@testable import CRMWeb

/// The probes of what pages show: lists, Find, forms' choices, detail pages (reference titles, related
/// records), conflicts, receipts, CSV exports, and the admin pages.
extension WebHostileProbe {
    static let types = ["Account", "Contact", "Opportunity", "ServiceRequest", "Activity", "Note"]

    /// Every page of every list, the new forms' choices, Find with every hidden record's words, the conflicts
    /// page and the CSV exports name only records the caller may see.
    mutating func lists(as user: String) async throws {
        for type in Self.types {
            for page in try await allPages(user, "/records/\(type)") {
                expectVisible(user, Self.recordIDs(in: page.html), in: "the \(type) list")
            }
            let form = try await get(user, "/records/\(type)/new")
            expectVisible(user, Self.recordIDs(in: form.html), in: "the new \(type) form's choices")
            let export = try await get(user, "/records/\(type)/export.csv")
            let ids = export.html.components(separatedBy: "\r\n").dropFirst().map { String($0.prefix { $0 != "," }) }
            expectVisible(user, ids.filter(RecordID.isCanonical), in: "the CSV export of \(type)")
        }
        let own = world.holdings[user]!.contact.id
        let edit = try await get(user, "/records/Contact/\(own)/edit")
        expectVisible(user, Self.recordIDs(in: edit.html), in: "the own contact's edit form")
        for record in world.hidden(from: user) where record.type != ConflictRecord.typeName {
            let words = record.fields.values.compactMap(\.stringValue).flatMap { SearchTerms.words(of: $0) }.prefix(3)
            guard !words.isEmpty else { continue }
            let find = words.joined(separator: " ").addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
            for page in try await allPages(user, "/records/\(record.type)?find=\(find)") {
                let what = "Find \(words.joined(separator: " ")) in \(record.type)"
                expectVisible(user, Self.recordIDs(in: page.html), in: what)
            }
        }
        for status in ["open", "all"] {
            let page = try await get(user, "/conflicts?status=\(status)")
            let resolvable = Self.matches(#"action="/conflicts/([0-9A-Za-z-]+)/resolve""#, in: page.html)
            expectVisible(user, Self.recordIDs(in: page.html) + resolvable, in: "the \(status) conflicts page")
        }
    }

    /// The detail page of every record the caller sees links only to records they see (reference fields,
    /// related records), and shows a hidden record a reference names by its id, never by its title.
    mutating func details(as user: String) async throws {
        let package = try DefaultPackage.load()
        let visible = world.records.values.filter {
            !$0.deleted && $0.type != ConflictRecord.typeName && world.maySee(user, $0)
        }
        let visibleTitles = Set(visible.map { PageContext.title(of: $0, in: package) })
        for record in visible.sorted(by: { $0.id < $1.id }) {
            let page = try await get(user, "/records/\(record.type)/\(record.id)")
            expectVisible(user, Self.recordIDs(in: page.html), in: "the detail page of \(record.type) \(record.id)")
            guard let type = package.types[record.type] else { continue }
            for reference in type.references(in: record.fields) {
                guard let target = world.records[reference.target], !world.maySee(user, target) else { continue }
                let title = PageContext.title(of: target, in: package)
                // A title that is also a visible record's, or that HTML escapes, cannot be told apart here.
                guard title != target.id, !visibleTitles.contains(title),
                    !title.contains(where: { "&<>\"'".contains($0) })
                else { continue }
                count += 1
                if page.html.contains(">\(title)<") {
                    leaks.append(
                        "\(user)'s page of \(record.type) \(record.id) shows the title of \(target.type) \(target.id)")
                }
            }
        }
    }

    /// The receipts page holds the caller's own sync sessions and no one else's sessions or devices.
    mutating func receipts(as user: String) async throws {
        let page = try await get(user, "/receipts")
        count += 1
        let own = world.holdings[user]!
        if !page.html.contains(own.session) { Issue.record("\(user)'s receipts lack their own open session") }
        for (other, theirs) in world.others(of: user)
        where page.html.contains(theirs.session) || page.html.contains(theirs.device.id) {
            leaks.append("\(user)'s receipts show a sync session of \(other)")
        }
    }

    /// Every admin route of the coverage map, GET and POST: 403 to every role but admin (whose pages open).
    mutating func admin(as user: String) async throws {
        let admin = world.scope(of: user) == nil
        let other = world.others(of: user).first!.name
        // What each admin form is sent with: the worst a non-admin could ask for.
        let forms: [String: [(String, String)]] = [
            "/admin/users": [("name", "intruder-\(user)"), ("password", "long enough pass"), ("role", "admin")],
            "/admin/users/{name}": [("role", "admin"), ("enabled", "false"), ("password", "taken over now")],
            "/admin/packages": [("yaml", "not: a package"), ("roles", "")],
        ]
        let routes = WebHostileProbeTests.coverage.keys.filter { $0.contains(" /admin/") }.sorted()
        for route in routes {
            let method = String(route.prefix { $0 != " " })
            let pattern = String(route.dropFirst(method.count + 1))
            let targets = pattern.contains("{name}") ? [user, other] : [""]
            for target in targets {
                let path = pattern.replacingOccurrences(of: "{name}", with: target)
                    .replacingOccurrences(of: "{version}", with: "1")
                count += 1
                if method == "GET" {
                    let page = try await get(user, path)
                    if admin, page.status != .ok { Issue.record("the admin gets \(page.status) for \(path)") }
                    if !admin, page.status != .forbidden || !page.html.contains("for administrators") {
                        leaks.append("\(user) (not an admin) gets \(page.status) for GET \(path)")
                    }
                } else if !admin {
                    let page = try await post(user, path, forms[pattern] ?? [("name", "x")])
                    if page.status != .forbidden || !page.html.contains("for administrators") {
                        leaks.append("\(user) (not an admin) gets \(page.status) for \(method) \(path)")
                    }
                }
            }
        }
    }

    /// The first capture of every match of `pattern`.
    static func matches(_ pattern: String, in html: String) -> [String] {
        let regex = try! NSRegularExpression(pattern: pattern)
        return regex.matches(in: html, range: NSRange(html.startIndex..., in: html)).compactMap { match in
            Range(match.range(at: 1), in: html).map { String(html[$0]) }
        }
    }
}
