import CRMModel
import CRMServer
import CRMStore
import CRMSyncProtocol
import CRMTesting
import Foundation
import HTTPTypes
import Logging
import Testing

/// A hostile client (issue 9): each demo user, logged in, probes every route of the router with every other
/// user's record, conflict, device, sync session and attachment ids. A thing the caller may not see must answer
/// exactly as an unknown id does (status, headers and body, with the id swapped), lists and sync pages must hold
/// only what the caller may see, and nothing probed may change. A route the probe does not know fails the test,
/// so a new route cannot be left out silently.
@Suite struct HostileProbeTests {
    /// How each route of the router is probed (`HostileProbe` holds the probes; the names say which).
    static let coverage: [String: String] = [
        "GET /healthz": "open, names no id",
        "GET /api/v1/openapi.yaml": "open, names no id",
        "GET /readyz": "open, names no id",
        "GET /metrics": "open to the allowed networks and admins only (MetricsTests), names no id",
        "POST /api/v1/sessions": "login naming another user's device",
        "DELETE /api/v1/sessions": "ends the caller's own session only (checked by SessionTests)",
        "GET /api/v1/package": "the caller's own package, names no id",
        "GET /api/v1/me": "the caller's own profile, names no id",
        "GET /api/v1/records/{type}": "lists hold only visible records; filter on a hidden reference",
        "POST /api/v1/records/{type}": "create linking a hidden record",
        "GET /api/v1/records/{type}/{id}": "read a hidden record",
        "GET /api/v1/search/{type}": "searches for hidden records' words find only visible records",
        "PATCH /api/v1/records/{type}/{id}": "update a hidden record; link an own record to a hidden one",
        "DELETE /api/v1/records/{type}/{id}": "delete a hidden record",
        "POST /api/v1/records/{type}/import": "import rows naming hidden records by id (HostileProbe+CSV)",
        "GET /api/v1/records/{type}/export": "exports hold only visible records (HostileProbe+CSV)",
        "GET /api/v1/devices": "lists hold only own devices; another user's list is refused",
        "POST /api/v1/devices": "registers an own device, names no id",
        "DELETE /api/v1/devices/{id}": "revoke another user's device",
        "PUT /api/v1/devices/{id}/fetched/{record}": "fetch a hidden record; fetch onto another user's device",
        "DELETE /api/v1/devices/{id}/fetched/{record}": "drop from another user's device",
        "POST /api/v1/sync/begin": "begin on another user's device",
        "POST /api/v1/sync/pull": "pull in another user's session; own pages hold only visible records",
        "POST /api/v1/sync/push": "push in another user's session; update, delete, link, create-link hidden records",
        "POST /api/v1/sync/end": "end another user's session",
        "POST /api/v1/sync/wait": "wait in another user's session",
        "GET /api/v1/sync/sessions": "the log holds only own sessions; filter on another user's device",
        "GET /api/v1/admin/sync-sessions": "refused to everyone but administrators",
        "GET /api/v1/conflicts": "lists hold only own conflicts",
        "POST /api/v1/conflicts/{id}/resolve": "resolve a hidden conflict",
        "HEAD /api/v1/attachments/{sha256}": "hidden content",
        "PUT /api/v1/attachments/{sha256}": "hidden content",
        "GET /api/v1/attachments/{sha256}": "hidden content",
    ]

    @Test func everyRouteOfTheRouterIsProbed() async throws {
        let server = try await TestServer.make()
        defer { server.directory.remove() }
        let router = CRMApplication.router(
            store: server.store, configuration: server.configuration, logger: Logger(label: "probe-test"))
        let routed = Set(router.routes.map { "\($0.method.rawValue) \(OpenAPIDocument.normalised($0.path.description))" })
        #expect(!routed.isEmpty)
        for route in routed.subtracting(Self.coverage.keys).sorted() {
            Issue.record("\(route) is not probed by HostileProbeTests: add its probes to HostileProbe and coverage")
        }
        for route in Set(Self.coverage.keys).subtracting(routed).sorted() {
            Issue.record("HostileProbeTests.coverage names \(route), which the router does not have")
        }
    }

    @Test func noRouteAnswersDifferentlyForAnotherUsersThingsThanForUnknownIds() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let world = try await HostileWorld.make(server, api)
            var probe = HostileProbe(api: api, world: world)
            for user in world.users.map(\.name) {
                try await probe.records(as: user)
                try await probe.links(as: user)
                try await probe.sync(as: user)
                try await probe.devicesAndLogins(as: user)
                try await probe.conflicts(as: user)
                try await probe.attachments(as: user)
                try await probe.lists(as: user)
                try await probe.csv(as: user)
            }
            // Nothing probed changed: every record and conflict is as it was before the probes.
            let after = try await HostileWorld.everything(server.store)
            for (id, before) in world.records where after[id] != before {
                Issue.record("\(before.type) \(id) of \(before.owner) changed while being probed")
            }
            for (name, holdings) in world.holdings {
                let device = try await server.store.device(id: holdings.device.id)
                #expect(device?.isRevoked == false, "\(name)'s device was revoked by a probe")
                let session = try await server.store.syncSession(id: holdings.session)
                #expect(session?.endedAt == nil, "\(name)'s sync session was ended by a probe")
            }
            let hiddenPairs = world.users.reduce(0) { $0 + world.hidden(from: $1.name).count }
            print(
                "hostile probe: \(probe.count) probes by \(world.users.count) users over \(Self.coverage.count) "
                    + "routes, \(hiddenPairs) (user, hidden record or conflict) pairs, \(probe.leaks.count) leaks")
            #expect(probe.count > 1000)
            for leak in probe.leaks.prefix(30) { Issue.record(Comment(rawValue: leak)) }
            #expect(probe.leaks.isEmpty, "\(probe.leaks.count) answers told a hidden thing from an unknown one")
            try await Self.contentByHashOnly(api, world)
        }
    }

    /// A record may not list stored content by its hash and size alone: its author never held the content and
    /// may not read a record listing it, so the content is "not uploaded" for them and stays unreadable.
    static func contentByHashOnly(_ api: TestAPI, _ world: HostileWorld) async throws {
        let liam = world.holdings["liam"]!
        let noah = world.holdings["noah"]!
        let listing = AttachmentRef.value([
            AttachmentRef(sha256: noah.sha256, name: "x.pdf", mediaType: "application/pdf", size: noah.size)
        ])
        let created = try await api.send(
            .post, "/api/v1/records/Activity", token: liam.token,
            json: RecordWrite(fields: ["subject": "by hash", "display": "email", "attachments": listing]))
        let download = try await api.send(.get, "/api/v1/attachments/\(noah.sha256)", token: liam.token)
        #expect(created.status == .unprocessableContent, "\(created.text)")
        #expect(created.text.contains("has not been uploaded"), "\(created.text)")
        #expect(download.status == .notFound)
    }
}
