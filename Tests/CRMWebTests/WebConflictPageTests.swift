import CRMModel
import CRMSyncProtocol
import CRMTesting
import Foundation
import HTTPTypes
import Testing

/// The conflicts page: a real conflict (a manual field pushed from two devices), the two values side by side,
/// and the resolve button writing the chosen value as the API's resolve does.
@Suite struct WebConflictPageTests {
    @Test func anOpenConflictShowsBothValuesAndTheDevicesValueWinsWhenChosen() async throws {
        let server = try await TestServer.make()
        try await server.run(web: true) { api in
            let deal = try await api.create(
                "Opportunity", ["name": "Deal", "stage": "Prospecting"], token: api.login("rita"))
            var rita = try await TestDesktop.connect(api, "rita")
            try await rita.begin()
            var maria = try await TestDesktop.connect(api, "maria")
            try await maria.begin()
            _ = try await rita.push([Self.update(deal.id, stage: "Proposal")])
            let result = try #require(try await maria.push([Self.update(deal.id, stage: "Negotiation")]).first)
            #expect(result.status == .conflict)

            var browser = try await WebBrowserSession.login(api, "maria")
            let page = try await browser.get("/conflicts")
            #expect(page.status == .ok)
            #expect(page.html.contains(#"<a href="/records/Opportunity/\#(deal.id)">Deal</a>: stage"#))
            #expect(page.html.contains(#"<p class="value">Proposal</p>"#))
            #expect(page.html.contains(#"<p class="value">Negotiation</p>"#))
            #expect(
                page.html.contains(#"value="client">Use the device&#39;s value</button>"#)
                    || page.html.contains(#"value="client">Use the device's value</button>"#))
            let conflict = try #require(result.conflicts?.first)

            // Another user cannot resolve it (404 as for an unknown id).
            var peter = try await WebBrowserSession.login(api, "peter")
            _ = try await peter.get("/conflicts")
            #expect(try await peter.post("/conflicts/\(conflict.id)/resolve", ["choose": "client"]).status == .notFound)

            let resolved = try await browser.post("/conflicts/\(conflict.id)/resolve", ["choose": "client"])
            #expect(resolved.status == .seeOther)
            let stored = try await api.send(.get, "/api/v1/records/Opportunity/\(deal.id)", token: api.login("rita"))
            #expect(try stored.decode(Record.self).fields["stage"] == .string("Negotiation"))
            let after = try await browser.get("/conflicts")
            #expect(after.html.contains("No conflicts."))
        }
    }

    static func update(_ id: String, stage: String) -> SyncOp {
        SyncOp(
            opId: TestDesktop.opID(), kind: .update, type: "Opportunity", id: id, baseVersion: 1,
            fields: ["stage": .string(stage)], editedAt: Date())
    }
}
