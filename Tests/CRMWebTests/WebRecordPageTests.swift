import CRMModel
import CRMTesting
import Foundation
import HTTPTypes
import Testing

/// The record pages: list, detail, create/edit/delete forms generated from the package, the same validation as
/// the API with each error beside its field, and visibility (another user's record is a 404).
@Suite struct WebRecordPageTests {
    @Test func createFromTheFormThenSeeItInTheListAndOnItsDetailPage() async throws {
        let server = try await TestServer.make()
        try await server.run(web: true) { api in
            var browser = try await WebBrowserSession.login(api, "rita")
            let form = try await browser.get("/records/Account/new")
            #expect(form.status == .ok)
            #expect(form.html.contains(#"<label for="field-name">"#))
            #expect(form.html.contains(#"id="field-name" name="name""#))
            let created = try await browser.post(
                "/records/Account", ["name": "Acme <Tools> & Co", "city": "Lyon", "industry": ""])
            #expect(created.status == .seeOther)
            let location = try #require(created.location)
            #expect(location.hasPrefix("/records/Account/"))
            let detail = try await browser.get(location)
            #expect(detail.status == .ok)
            // Values are escaped: the name shows as text, never as markup.
            #expect(detail.html.contains("Acme &lt;Tools&gt; &amp; Co"))
            #expect(!detail.html.contains("<Tools>"))
            #expect(detail.html.contains("Lyon"))
            let list = try await browser.get("/records/Account")
            #expect(list.status == .ok)
            #expect(list.html.contains("Acme &lt;Tools&gt; &amp; Co"))
            #expect(list.html.contains(#"aria-sort="#))
            #expect(list.html.contains("<td>rita</td>"), "the form's owner column")
            #expect(
                list.html.contains(#"<option value="name">Account name</option>"#),
                "search offers the first column first")
            // The record is the API's record: same owner, same fields.
            let token = try await api.login("rita")
            let id = String(location.dropFirst("/records/Account/".count))
            let reply = try await api.send(.get, "/api/v1/records/Account/\(id)", token: token)
            let record = try reply.decode(Record.self)
            #expect(record.owner == "rita")
            #expect(record.fields["city"] == .string("Lyon"))
            #expect(record.fields["industry"] == nil)
        }
    }

    @Test func validationErrorsShowBesideTheirFieldsAndKeepWhatTheUserTyped() async throws {
        let server = try await TestServer.make()
        try await server.run(web: true) { api in
            var browser = try await WebBrowserSession.login(api, "rita")
            _ = try await browser.get("/records/Contact/new")
            let refused = try await browser.post(
                "/records/Contact", ["firstName": "Ada", "lastName": "", "email": "not-an-address"])
            #expect(refused.status == .unprocessableContent)
            #expect(refused.html.contains(#"id="field-email-error""#))
            #expect(
                refused.html.contains("&#39;not-an-address&#39; is not an email address")
                    || refused.html.contains("'not-an-address' is not an email address"))
            #expect(refused.html.contains(#"id="field-lastName-error""#))
            #expect(refused.html.contains(#"value="not-an-address""#), "what the user typed is kept")
            #expect(refused.html.contains(#"value="Ada""#))
            // Nothing was stored.
            let list = try await browser.get("/records/Contact")
            #expect(list.html.contains("No records."))

            // An edit refused the same way keeps the stored record as it was.
            let created = try await browser.post("/records/Account", ["name": "Globex"])
            let location = try #require(created.location)
            _ = try await browser.get(location + "/edit")
            let edit = try await browser.post(location, ["name": "", "phone": "call me", "version": "1"])
            #expect(edit.status == .unprocessableContent)
            #expect(edit.html.contains(#"id="field-name-error""#))
            #expect(edit.html.contains(#"id="field-phone-error""#))
            #expect(edit.html.contains(#"value="call me""#))
            let detail = try await browser.get(location)
            #expect(detail.html.contains("Globex"))
        }
    }

    @Test func aNumberThatDoesNotParseIsAnErrorBesideItsField() async throws {
        let server = try await TestServer.make()
        try await server.run(web: true) { api in
            var browser = try await WebBrowserSession.login(api, "rita")
            _ = try await browser.get("/records/Opportunity/new")
            let refused = try await browser.post("/records/Opportunity", ["name": "Big deal", "amount": "12abc"])
            #expect(refused.status == .unprocessableContent)
            #expect(refused.html.contains(#"id="field-amount-error""#))
            #expect(refused.html.contains("is not a number"))
        }
    }

    @Test func editAndDeleteThroughTheForms() async throws {
        let server = try await TestServer.make()
        try await server.run(web: true) { api in
            var browser = try await WebBrowserSession.login(api, "rita")
            let created = try await browser.post("/records/Account", ["name": "Initech"])
            let location = try #require(created.location)
            let edit = try await browser.get(location + "/edit")
            #expect(edit.html.contains(#"value="Initech""#))
            let saved = try await browser.post(location, ["name": "Initech Europe", "city": "Paris", "version": "1"])
            #expect(saved.status == .seeOther)
            let detail = try await browser.get(location)
            #expect(detail.html.contains("Initech Europe"))
            #expect(detail.html.contains("version 2"))
            let stale = try await browser.post(location, ["name": "Initech Asia", "version": "1"])
            #expect(stale.status == .conflict)
            #expect(stale.html.contains("Someone changed this record"))
            let deleted = try await browser.post(location + "/delete", [:])
            #expect(deleted.status == .seeOther)
            #expect(try await browser.get(location).status == .notFound)
        }
    }

    @Test func anotherUsersRecordIsA404LikeAnUnknownId() async throws {
        let server = try await TestServer.make()
        try await server.run(web: true) { api in
            let peter = try await api.login("peter")
            let secret = try await api.create("Account", ["name": .string("Peter's secret account")], token: peter)
            var browser = try await WebBrowserSession.login(api, "rita")
            for path in ["/records/Account/\(secret.id)", "/records/Account/\(secret.id)/edit"] {
                let page = try await browser.get(path)
                #expect(page.status == .notFound, "\(path)")
                #expect(!page.html.contains("secret"))
            }
            let unknown = try await browser.get("/records/Account/\(RecordID.make())")
            #expect(unknown.status == .notFound)
            _ = try await browser.get("/home")
            let update = try await browser.post("/records/Account/\(secret.id)", ["name": "Taken"])
            #expect(update.status == .notFound)
            let delete = try await browser.post("/records/Account/\(secret.id)/delete", [:])
            #expect(delete.status == .notFound)
            let list = try await browser.get("/records/Account")
            #expect(!list.html.contains("secret"))
            // The same id under another type is no way around it either.
            #expect(try await browser.get("/records/Contact/\(secret.id)").status == .notFound)
        }
    }

    @Test func detailShowsRelatedRecordsAndListsSortSearchAndPage() async throws {
        let server = try await TestServer.make()
        try await server.run(web: true) { api in
            let token = try await api.login("rita")
            let account = try await api.create("Account", ["name": .string("Umbrella")], token: token)
            _ = try await api.create(
                "Contact", ["lastName": .string("Wesker"), "accountId": .string(account.id)], token: token)
            for index in 0..<30 {
                _ = try await api.create(
                    "Account", ["name": .string(String(format: "Filler %02d", index))], token: token)
            }
            var browser = try await WebBrowserSession.login(api, "rita")
            let detail = try await browser.get("/records/Account/\(account.id)")
            #expect(detail.html.contains("Related records"))
            #expect(detail.html.contains("Wesker"))
            let first = try await browser.get("/records/Account?sort=-name")
            #expect(first.html.contains("Umbrella"))
            #expect(first.html.contains(#"aria-sort="descending""#))
            #expect(first.html.contains("Next page"))
            let found = try await browser.get("/records/Account?field=name&q=Umbrella")
            #expect(found.html.contains("Umbrella"))
            #expect(!found.html.contains("Filler"))
            let contact = try await browser.get("/records/Contact")
            #expect(contact.html.contains("Wesker"))
        }
    }

    @Test func conflictsAndReceiptsPagesOpen() async throws {
        let server = try await TestServer.make()
        try await server.run(web: true) { api in
            var browser = try await WebBrowserSession.login(api, "rita")
            let conflicts = try await browser.get("/conflicts")
            #expect(conflicts.status == .ok)
            #expect(conflicts.html.contains("No conflicts."))
            let receipts = try await browser.get("/receipts")
            #expect(receipts.status == .ok)
            #expect(receipts.html.contains("No synchronization yet."))
            let mine = try await SyncSessionFixture.syncOnce(api, user: "rita", errors: [])
            let theirs = try await SyncSessionFixture.syncOnce(api, user: "peter", errors: [])
            let after = try await browser.get("/receipts")
            #expect(after.html.contains(mine))
            #expect(!after.html.contains(theirs), "only the user's own devices' sessions")
        }
    }
}
