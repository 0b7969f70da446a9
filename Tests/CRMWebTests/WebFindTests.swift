import CRMModel
import CRMTesting
import Foundation
import HTTPTypes
import Testing

/// The list's "Find": words in any field through the server's ranked search (its ranking is proven on both stores
/// by `SearchConformance`); never another user's records.
@Suite struct WebFindTests {
    @Test func findListsTheUsersMatchingRecordsAndNeverAnotherUsers() async throws {
        let server = try await TestServer.make()
        try await server.run(web: true) { api in
            let rita = try await api.login("rita")
            let peter = try await api.login("peter")
            _ = try await api.create("Account", ["name": "Acme Rockets", "city": "Acme Town"], token: rita)
            _ = try await api.create("Account", ["name": "Beta Acmeology"], token: rita)
            _ = try await api.create("Account", ["name": "Gamma"], token: rita)
            _ = try await api.create("Account", ["name": "Acme Hidden"], token: peter)

            var browser = try await WebBrowserSession.login(api, "rita")
            let list = try await browser.get("/records/Account")
            #expect(list.html.contains(#"<label for="find-words">"#))
            let found = try await browser.get("/records/Account?find=acm")
            #expect(found.status == .ok)
            #expect(found.html.contains("Acme Rockets") && found.html.contains("Beta Acmeology"), "\(found.html)")
            #expect(!found.html.contains("Gamma"))
            #expect(!found.html.contains("Acme Hidden"), "another user's record")
            let none = try await browser.get("/records/Account?find=zzzz")
            #expect(none.html.contains("No records."))
        }
    }
}
