import CRMTesting
import Foundation
import Testing

@testable import PIMBridge

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

@Suite struct DAVStoreTests {
    /// Another DAV client (a phone, Thunderbird): plain HTTP requests with Basic auth.
    struct RawClient: Sendable {
        var user = RadicaleServer.user
        var password = RadicaleServer.password

        func send(_ method: String, _ url: URL, body: Data? = nil, headers: [String: String] = [:]) async throws
            -> (status: Int, body: Data)
        {
            var request = URLRequest(url: url)
            request.httpMethod = method
            request.httpBody = body
            let credentials = Data("\(user):\(password)".utf8).base64EncodedString()
            request.setValue("Basic \(credentials)", forHTTPHeaderField: "Authorization")
            for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
            let (data, response) = try await URLSession.shared.data(for: request)
            return ((response as? HTTPURLResponse)?.statusCode ?? 0, data)
        }
    }

    /// Runs `body` on a DAV store given the root of a fresh Radicale; another client PUTs directly.
    func withRadicale(_ body: (StoreUnderTest, DAVStore, RadicaleServer) async throws -> Void) async throws {
        let server = try await RadicaleServer.start()
        defer { server.stop() }
        let store = DAVStore(url: server.url, user: RadicaleServer.user, password: RadicaleServer.password)
        let subject = StoreUnderTest(
            store: store,
            writeAsAnotherClient: { collection, name, data in
                let url = try await store.collectionURL(collection).appendingPathComponent(name)
                let type = collection == .contacts ? "text/vcard" : "text/calendar"
                let (status, _) = try await RawClient().send("PUT", url, body: data, headers: ["Content-Type": type])
                #expect((200..<300).contains(status))
            },
            hasSyncTokens: true, keepsBytes: false)
        try await body(subject, store, server)
    }

    // MARK: - The shared conformance, against Radicale

    @Test func prepareCreatesEmptyCollections() async throws {
        try await withRadicale { subject, _, _ in
            try await PIMStoreConformance.prepareCreatesEmptyCollections(subject)
        }
    }

    @Test func putReadAndChangesRoundTrip() async throws {
        try await withRadicale { subject, _, _ in try await PIMStoreConformance.putReadAndChangesRoundTrip(subject) }
    }

    @Test func putWithStaleEtagFailsChanged() async throws {
        try await withRadicale { subject, _, _ in
            try await PIMStoreConformance.putWithStaleEtagFailsChanged(subject)
        }
    }

    @Test func createOverExistingHrefFailsAlreadyExists() async throws {
        try await withRadicale { subject, _, _ in
            try await PIMStoreConformance.createOverExistingHrefFailsAlreadyExists(subject)
        }
    }

    @Test func batchCreateMakesEveryItemAndRefusesATakenHrefAlone() async throws {
        try await withRadicale { subject, _, _ in
            try await PIMStoreConformance.batchCreateMakesEveryItemAndRefusesATakenHrefAlone(subject)
        }
    }

    @Test func deleteRemovesTheItemOnlyAtItsEtag() async throws {
        try await withRadicale { subject, _, _ in
            try await PIMStoreConformance.deleteRemovesTheItemOnlyAtItsEtag(subject)
        }
    }

    @Test func changesSinceTokenListOnlyTheChangeAndTheDeletion() async throws {
        try await withRadicale { subject, _, _ in
            try await PIMStoreConformance.changesSinceTokenListOnlyWhatChanged(subject)
        }
    }

    @Test func editByAnotherClientBetweenChangesIsSeen() async throws {
        try await withRadicale { subject, _, _ in
            try await PIMStoreConformance.editByAnotherClientBetweenChangesIsSeen(subject)
        }
    }

    @Test func hrefsForOddUIDsAreSafeAndStable() async throws {
        try await withRadicale { subject, _, _ in
            try await PIMStoreConformance.hrefsForOddUIDsAreSafeAndStable(subject)
        }
    }

    // MARK: - Discovery and collections

    @Test func discoveryFromTheServerRootFindsTheUsersHomeAndCreatesTypedCollections() async throws {
        try await withRadicale { _, store, server in
            try await store.prepare()
            for collection in PIMCollection.allCases {
                let url = try await store.collectionURL(collection)
                #expect(url.absoluteString == server.url.absoluteString + "rita/crm-\(collection.rawValue)/")
            }
            let body = Data(
                """
                <?xml version="1.0"?><d:propfind xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop>\
                <d:resourcetype/><d:displayname/><c:supported-calendar-component-set/></d:prop></d:propfind>
                """.utf8)
            let (status, answer) = try await RawClient().send(
                "PROPFIND", server.url.appendingPathComponent("rita/"), body: body, headers: ["Depth": "1"])
            #expect(status == 207)
            let text = String(decoding: answer, as: UTF8.self)
            for name in ["CRM contacts", "CRM calendar", "CRM tasks", "VEVENT", "VTODO", "addressbook"] {
                #expect(text.contains(name))
            }
        }
    }

    @Test func discoveryFromThePrincipalOrACollectionFindsTheSameCollections() async throws {
        try await withRadicale { _, store, server in
            try await store.prepare()
            let expected = try await store.collectionURL(.tasks)
            for path in ["rita/", "rita/crm-contacts/", "rita/crm-calendar"] {
                let other = DAVStore(
                    url: URL(string: path, relativeTo: server.url)!.absoluteURL, user: RadicaleServer.user,
                    password: RadicaleServer.password)
                try await other.prepare()
                #expect(try await other.collectionURL(.tasks) == expected)
            }
        }
    }

    @Test func wrongPasswordGivesAnErrorNamingTheUser() async throws {
        try await withRadicale { _, _, server in
            let store = DAVStore(url: server.url, user: RadicaleServer.user, password: "wrong")
            do {
                try await store.prepare()
                Issue.record("prepare succeeded with a wrong password")
            } catch let error as PIMStoreError {
                #expect(error.code == .unauthorized)
                #expect(error.description.contains("\"rita\""))
                #expect(error.description.contains("password"))
                #expect(error.description.contains("dav:\(server.url.absoluteString)"))
                #expect(!error.description.contains("wrong"))
            }
        }
    }

    @Test func aServerThatDoesNotAnswerIsUnreachable() async throws {
        let server = try await RadicaleServer.start()
        server.stop()
        let store = DAVStore(
            url: server.url, user: RadicaleServer.user, password: RadicaleServer.password, timeout: .seconds(3))
        let code = await PIMStoreConformance.errorCode { try await store.prepare() }
        #expect(code == .unreachable)
    }

    // MARK: - Changes

    @Test func aTokenTheServerRefusesGivesTheFullListing() async throws {
        try await withRadicale { subject, store, _ in
            try await store.prepare()
            let item = try await store.put(
                .contacts, href: "a.vcf", data: PIMStoreConformance.vcard("a", name: "A"), ifMatch: nil)
            let changes = try await store.changes(in: .contacts, since: "http://radicale.org/ns/sync/unknown")
            #expect(changes.isFullListing)
            #expect(changes.changed == ["a.vcf": item.etag])
            #expect(changes.token != nil)
        }
    }

    @Test func propfindListingGivesTheSameItemsAsSyncCollection() async throws {
        try await withRadicale { _, store, _ in
            try await store.prepare()
            for uid in ["p1", "p2"] {
                _ = try await store.put(
                    .tasks, href: "\(uid).ics", data: PIMStoreConformance.task(uid, summary: uid), ifMatch: nil)
            }
            let url = try await store.collectionURL(.tasks)
            let listed = try await store.listEtags(.tasks, at: url)
            let synced = try await store.changes(in: .tasks, since: nil)
            #expect(listed.changed == synced.changed)
            #expect(listed.isFullListing && listed.token == nil)
        }
    }

    @Test func readingItemByItemGivesTheSameBytesAsMultiget() async throws {
        try await withRadicale { _, store, _ in
            try await store.prepare()
            let data = PIMStoreConformance.vcard("g", name: "Gina")
            let written = try await store.put(.contacts, href: "g.vcf", data: data, ifMatch: nil)
            let url = try await store.collectionURL(.contacts)
            let each = try await store.readEach(.contacts, at: url, hrefs: ["g.vcf", "missing.vcf"])
            #expect(each == [written])
            #expect(try await store.read(.contacts, hrefs: ["g.vcf"]) == [written])
        }
    }

    @Test func truncatedSyncCollectionAnswerAsksForMore() throws {
        let collection = URL(string: "https://dav.example.com/dav/rita/crm-contacts/")!
        let body = Data(
            """
            <?xml version="1.0" encoding="utf-8"?>
            <d:multistatus xmlns:d="DAV:">
              <d:response>
                <d:href>https://dav.example.com/dav/rita/crm-contacts/a%40b%20c.vcf</d:href>
                <d:propstat><d:prop><d:getetag>"1"</d:getetag></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat>
              </d:response>
              <d:response>
                <d:href>/dav/rita/crm-contacts/gone.vcf</d:href>
                <d:status>HTTP/1.1 404 Not Found</d:status>
              </d:response>
              <d:response>
                <d:href>/dav/rita/other/x.vcf</d:href>
                <d:propstat><d:prop><d:getetag>W/"2"</d:getetag></d:prop>
                  <d:status>HTTP/1.1 200 OK</d:status></d:propstat>
              </d:response>
              <d:response>
                <d:href>/dav/rita/crm-contacts/</d:href>
                <d:status>HTTP/1.1 507 Insufficient Storage</d:status>
                <d:error><d:number-of-matches-within-limits/></d:error>
              </d:response>
              <d:sync-token>http://example.com/sync/42</d:sync-token>
            </d:multistatus>
            """.utf8)
        let page = try #require(DAVSyncPage(parsing: body, answeredBy: collection, collection: collection))
        #expect(page.isTruncated)
        #expect(page.token == "http://example.com/sync/42")
        #expect(page.changed == ["a@b c.vcf": "\"1\"", "/dav/rita/other/x.vcf": "W/\"2\""])
        #expect(page.deleted == ["gone.vcf"])

        let last = body.replacingOccurrences(of: "507 Insufficient Storage", with: "200 OK")
        #expect(DAVSyncPage(parsing: last, answeredBy: collection, collection: collection)?.isTruncated == false)
        #expect(DAVSyncPage(parsing: Data("<html/>".utf8), answeredBy: collection, collection: collection) == nil)
    }

    @Test func hrefsAreEncodedForTheServerAndDecodedForCallers() {
        let collection = URL(string: "http://127.0.0.1:5232/rita/crm-contacts/")!
        let url = DAVPath.itemURL("a b@c%.vcf", in: collection)
        #expect(url.absoluteString == "http://127.0.0.1:5232/rita/crm-contacts/a%20b@c%25.vcf")
        #expect(DAVPath.itemHref(url.absoluteString, answeredBy: collection, collection: collection) == "a b@c%.vcf")
        #expect(
            DAVPath.itemHref("/rita/crm-contacts/a%20b@c%25.vcf", answeredBy: collection, collection: collection)
                == "a b@c%.vcf")
        let elsewhere = DAVPath.itemHref("/rita/other%20one/x.vcf", answeredBy: collection, collection: collection)
        #expect(elsewhere == "/rita/other one/x.vcf")
        #expect(
            DAVPath.itemURL(elsewhere, in: collection).absoluteString == "http://127.0.0.1:5232/rita/other%20one/x.vcf")
    }
}

extension Data {
    fileprivate func replacingOccurrences(of target: String, with replacement: String) -> Data {
        Data(String(decoding: self, as: UTF8.self).replacingOccurrences(of: target, with: replacement).utf8)
    }
}
