import CRMModel
import CRMServer
import CRMSyncProtocol
import CRMTesting
import Foundation
import Testing

/// `GET /api/v1/search/{type}` over loopback: ranking, prefixes, paging, visibility and hidden fields, on the
/// store `CRM_TEST_STORE` names.
@Suite("Search route")
struct SearchRoutesTests {
    static func search(_ api: TestAPI, _ type: String, _ q: String, token: String, limit: Int = 20,
        cursor: String? = nil) async throws -> SearchResults
    {
        let text = q.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? q
        var path = "/api/v1/search/\(type)?q=\(text)&limit=\(limit)"
        if let cursor { path += "&cursor=\(cursor)" }
        let reply = try await api.send(.get, path, token: token)
        #expect(reply.status == .ok, "\(reply.text)")
        return try reply.decode(SearchResults.self)
    }

    @Test func betterMatchComesFirstAndTheLastWordMatchesAsAPrefix() async throws {
        try await TestServer.make().run { api in
            let maria = try await api.login("maria")
            let weak = try await api.create(
                "Account", ["name": "Globex", "description": "Bought a few parts from Acme in the spring of last year"],
                token: maria)
            let strong = try await api.create("Account", ["name": "Acme Tools", "city": "Acme"], token: maria)
            _ = try await api.create("Account", ["name": "Initech"], token: maria)
            let found = try await Self.search(api, "Account", "acm", token: maria)
            #expect(found.results.map(\.id) == [strong.id, weak.id])
            let hit = try #require(found.results.first)
            #expect(hit.title == "Acme Tools")
            // The form's list and title fields, not the rest.
            #expect(hit.fields["city"] == "Acme" && hit.fields["name"] == "Acme Tools")
            #expect(found.results.last?.fields["description"] == nil)
            #expect(try await Self.search(api, "Account", "tools acme", token: maria).results.map(\.id) == [strong.id])
            #expect(try await Self.search(api, "Account", "ac tools", token: maria).results.isEmpty)
        }
    }

    @Test func pagesFollowTheCursorUntilTheLastMatch() async throws {
        try await TestServer.make().run { api in
            let maria = try await api.login("maria")
            var made: Set<String> = []
            for index in 0..<7 { made.insert(try await api.create("Account", ["name": .string("Umbrella \(index)")], token: maria).id) }
            var seen: [String] = []
            var cursor: String?
            var pages = 0
            repeat {
                let page = try await Self.search(api, "Account", "umbrella", token: maria, limit: 3, cursor: cursor)
                seen += page.results.map(\.id)
                cursor = page.nextCursor
                pages += 1
            } while cursor != nil && pages < 10
            #expect(pages == 3)
            #expect(seen.count == 7 && Set(seen) == made)
            let bad = try await api.send(.get, "/api/v1/search/Account?q=umbrella&cursor=nonsense", token: maria)
            #expect(bad.status == .badRequest)
        }
    }

    @Test func anotherUsersRecordsAreNeverFound() async throws {
        try await TestServer.make().run { api in
            let peter = try await api.login("peter"), rita = try await api.login("rita")
            let maria = try await api.login("maria")
            let peters = try await api.create("Account", ["name": "Zyxcorp Peter"], token: peter)
            let ritas = try await api.create("Account", ["name": "Zyxcorp Rita"], token: rita)
            // maria manages rita: she finds rita's record, never peter's; rita finds only her own.
            #expect(try await Self.search(api, "Account", "zyxcorp", token: maria).results.map(\.id) == [ritas.id])
            #expect(try await Self.search(api, "Account", "zyxcorp", token: rita).results.map(\.id) == [ritas.id])
            #expect(try await Self.search(api, "Account", "zyxcorp", token: peter).results.map(\.id) == [peters.id])
            // A type the role hides does not exist.
            let sam = try await api.login("sam")
            let hidden = try await api.send(.get, "/api/v1/search/Opportunity?q=zyxcorp", token: sam)
            #expect(hidden.status == .notFound)
        }
    }

    @Test func aHiddenFieldIsNeitherSearchedNorReturned() async throws {
        let server = try await TestServer.make()
        try await AttachmentRoutesTests.publishVariant(server) { yaml in
            yaml.replacingOccurrences(
                of: "    readOnlyFields:\n      Opportunity: [probability]",
                with: "    hiddenFields:\n      Account: [city]\n    readOnlyFields:\n      Opportunity: [probability]")
        }
        try await server.run { api in
            let maria = try await api.login("maria"), rita = try await api.login("rita")
            let shared = try await api.create(
                "Account", ["name": "Initrode", "city": "Gotham"], token: maria, team: ["rita"])
            #expect(try await Self.search(api, "Account", "gotham", token: maria).results.map(\.id) == [shared.id])
            #expect(try await Self.search(api, "Account", "gotham", token: rita).results.isEmpty)
            #expect(try await Self.search(api, "Account", "initrode goth", token: rita).results.isEmpty)
            let found = try await Self.search(api, "Account", "initrode", token: rita)
            #expect(found.results.map(\.id) == [shared.id])
            #expect(found.results.first?.fields["city"] == nil)
        }
    }
}
