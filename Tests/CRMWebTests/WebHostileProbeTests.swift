import CRMModel
import CRMServer
import CRMStore
import CRMSyncProtocol
import CRMTesting
import Foundation
import Logging
import Testing

@testable import CRMWeb

/// A hostile browser (issue 9 on the web UI of issue 10): each demo user, logged in through the login form,
/// probes every page and form with every other user's record and conflict ids. A thing the caller may not see
/// must answer exactly as an unknown id does (status, headers and page, with the id swapped), pages that show
/// records must name only what the caller may see, fields a role hides must appear on no page of its users,
/// admin pages must refuse everyone but administrators, and nothing probed may change. A web route the probe
/// does not know fails the test, so a new page cannot be left out silently (the API's routes are
/// `HostileProbeTests`').
@Suite struct WebHostileProbeTests {
    /// How each route the web UI adds to the router is probed (`WebHostileProbe` holds the probes).
    static let coverage: [String: String] = [
        "GET /": "redirects to the login or start page, names no id",
        "GET /static/crm.css": "open, names no id",
        "GET /login": "open, names no id",
        "POST /login": "AuthService's login, names no id (throttling in WebSessionTests)",
        "POST /logout": "ends the caller's own session only (WebSessionTests)",
        "GET /home": "names no id",
        "GET /records/{type}": "lists and Find name only visible records; filters on hidden records and fields",
        "GET /records/{type}/{id}": "a hidden record or conflict; visible records' links, related records, titles",
        "GET /records/{type}/new": "the reference fields' choices name only visible records",
        "POST /records/{type}": "create a note, contact or activity naming a hidden record",
        "GET /records/{type}/{id}/edit": "a hidden record or conflict; the own contact's choices",
        "POST /records/{type}/{id}": "update a hidden record or conflict; move the own contact to a hidden account",
        "POST /records/{type}/{id}/delete": "delete a hidden record or conflict",
        "GET /records/{type}/import": "the import form, names no id",
        "POST /records/{type}/import": "import rows naming hidden records by id",
        "GET /records/{type}/export.csv": "exports hold only visible records",
        "GET /conflicts": "open and all conflicts: only the caller's own",
        "POST /conflicts/{id}/resolve": "resolve a hidden conflict either way",
        "GET /receipts": "only the caller's own sync sessions and devices",
        "GET /admin/users": "403 to everyone but administrators",
        "POST /admin/users": "403 to everyone but administrators (adding an admin)",
        "GET /admin/users/{name}": "403 to everyone but administrators",
        "POST /admin/users/{name}": "403 to everyone but administrators (own role, another's password)",
        "GET /admin/packages": "403 to everyone but administrators",
        "POST /admin/packages": "403 to everyone but administrators",
        "GET /admin/packages/{version}": "403 to everyone but administrators",
        "GET /admin/sync": "403 to everyone but administrators",
    ]

    /// A route path with captures as `{name}`, whether written `{name}` or `:name`.
    static func normalised(_ path: String) -> String {
        path.split(separator: "/", omittingEmptySubsequences: false)
            .map { $0.hasPrefix(":") ? "{\($0.dropFirst())}" : String($0) }.joined(separator: "/")
    }

    @Test func everyRouteTheWebUIAddsIsProbed() async throws {
        let server = try await TestServer.make()
        let logger = Logger(label: "web-probe-test")
        let routes = { (additions: [CRMRouteAddition]) in
            Set(
                CRMApplication.router(
                    store: server.store, configuration: server.configuration, logger: logger, additions: additions
                ).routes.map { "\($0.method.rawValue) \(Self.normalised($0.path.description))" })
        }
        let web = routes([try WebUI().addition]).subtracting(routes([]))
        await server.remove()
        #expect(web.count > 20)
        for route in web.subtracting(Self.coverage.keys).sorted() {
            Issue.record(
                "\(route) is not probed by WebHostileProbeTests: add its probes to WebHostileProbe and coverage")
        }
        for route in Set(Self.coverage.keys).subtracting(web).sorted() {
            Issue.record("WebHostileProbeTests.coverage names \(route), which the web UI does not add")
        }
    }

    @Test func noPageAnswersDifferentlyForAnotherUsersRecordsThanForUnknownIds() async throws {
        let server = try await TestServer.make()
        try await server.run(web: true) { api in
            var world = try await HostileWorld.make(server, api)
            try await Self.giveHiddenFieldValues(api, world)
            world.records = try await HostileWorld.everything(server.store)
            var browsers: [String: WebBrowserSession] = [:]
            for user in world.users.map(\.name) { browsers[user] = try await WebBrowserSession.login(api, user) }
            let users = try await server.store.users().sorted { $0.name < $1.name }
            let package = try await server.store.latestPackageVersion()
            var probe = WebHostileProbe(world: world, browsers: browsers)
            var holdingHiddenFields = 0
            for user in world.users.map(\.name) {
                try await probe.records(as: user)
                try await probe.links(as: user)
                try await probe.imports(as: user)
                try await probe.lists(as: user)
                try await probe.details(as: user)
                try await probe.receipts(as: user)
                try await probe.admin(as: user)
                holdingHiddenFields += try await probe.hiddenFields(as: user)
            }
            // Nothing probed changed: records, conflicts, users and the package are as before the probes.
            let after = try await HostileWorld.everything(server.store)
            for (id, before) in world.records where after[id] != before {
                Issue.record("\(before.type) \(id) of \(before.owner) changed while being probed")
            }
            #expect(try await server.store.users().sorted { $0.name < $1.name } == users, "a user changed")
            #expect(try await server.store.latestPackageVersion() == package)
            let hiddenPairs = world.users.reduce(0) { $0 + world.hidden(from: $1.name).count }
            print(
                "web hostile probe: \(probe.count) probes by \(world.users.count) users over \(Self.coverage.count) "
                    + "web routes, \(hiddenPairs) (user, hidden record or conflict) pairs, \(holdingHiddenFields) "
                    + "(user, record with a field their role hides) pairs, \(probe.leaks.count) leaks")
            #expect(probe.count > 3000)
            #expect(holdingHiddenFields > 0, "no user saw a record holding a value in a field their role hides")
            for leak in probe.leaks.prefix(30) { Issue.record(Comment(rawValue: leak)) }
            #expect(probe.leaks.isEmpty, "\(probe.leaks.count) answers told a hidden thing from an unknown one")
        }
    }

    /// Records owned by each service agent holding values in the fields their role hides (an account's annual
    /// revenue, an activity's opportunity), written by the administrator, so the probe has values to not show.
    static func giveHiddenFieldValues(_ api: TestAPI, _ world: HostileWorld) async throws {
        let admin = world.holdings[world.users.first { $0.role == "admin" }!.name]!.token
        let deal = world.records.values.first { $0.type == "Opportunity" && !$0.deleted }!
        for agent in world.users where agent.role == "service-agent" {
            let writes: [(String, RecordWrite)] = [
                ("Account", RecordWrite(
                    fields: ["name": .string("Revenue of \(agent.name)"), "annualRevenue": 987654], owner: agent.name)),
                ("Activity", RecordWrite(
                    fields: ["subject": "Call about a deal", "display": "email", "opportunityId": .string(deal.id)],
                    owner: agent.name)),
            ]
            for (type, write) in writes {
                let reply = try await api.send(.post, "/api/v1/records/\(type)", token: admin, json: write)
                guard reply.status == .created else { throw TestAPIError.refused(reply.status.code, reply.text) }
            }
        }
    }
}
