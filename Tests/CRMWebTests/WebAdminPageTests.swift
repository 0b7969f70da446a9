import CRMModel
import CRMTesting
import Foundation
import HTTPTypes
import Testing

/// The admin pages: refused (403) to roles that are not admin roles; users, packages and the sync monitor for
/// an admin.
@Suite struct WebAdminPageTests {
    @Test func adminPagesAreRefusedWith403ToAUserWithoutTheAdminRole() async throws {
        let server = try await TestServer.make()
        try await server.run(web: true) { api in
            var browser = try await WebBrowserSession.login(api, "maria")
            for path in ["/admin/users", "/admin/users/rita", "/admin/packages", "/admin/packages/1", "/admin/sync"] {
                let page = try await browser.get(path)
                #expect(page.status == .forbidden, "\(path)")
                #expect(page.html.contains("for administrators"))
            }
            _ = try await browser.get("/home")
            let add = try await browser.post(
                "/admin/users", ["name": "mallory", "password": "long enough pass", "role": "admin"])
            #expect(add.status == .forbidden)
            #expect(try await server.store.user(named: "mallory") == nil)
            #expect(!(try await browser.get("/home")).html.contains("/admin/users"), "no admin links for non-admins")
        }
    }

    @Test func anAdminAddsAUserChangesTheRoleResetsThePasswordAndDisablesThem() async throws {
        let server = try await TestServer.make()
        try await server.run(web: true) { api in
            var admin = try await WebBrowserSession.login(api, "ada")
            let list = try await admin.get("/admin/users")
            #expect(list.status == .ok)
            #expect(list.html.contains(#"href="/admin/users/tess""#))
            let added = try await admin.post(
                "/admin/users",
                [
                    "name": "nina", "password": "first password", "role": "sales-rep", "manager": "maria",
                    "emails": "nina@example.com",
                ])
            #expect(added.status == .seeOther)
            var nina = try await WebBrowserSession.login(api, "nina", password: "first password")
            #expect(try await nina.get("/home").status == .ok)

            let refused = try await admin.post(
                "/admin/users", ["name": "Bad Name", "password": "x", "role": "sales-rep"])
            #expect(refused.status == .badRequest)
            #expect(refused.html.contains("user names are"))
            #expect(refused.html.contains(#"value="Bad Name""#))

            _ = try await admin.get("/admin/users/nina")
            let changed = try await admin.post(
                "/admin/users/nina",
                [
                    "role": "sales-manager", "manager": "", "emails": "nina@example.com", "enabled": "true",
                    "password": "second password",
                ])
            #expect(changed.status == .seeOther)
            let user = try #require(try await server.store.user(named: "nina"))
            #expect(user.role == "sales-manager")
            #expect(user.manager == nil)
            // A new password ends the sessions opened with the old one.
            #expect(try await nina.get("/home").status == .seeOther)
            _ = try await WebBrowserSession.login(api, "nina", password: "second password")

            _ = try await admin.get("/admin/users/nina")
            _ = try await admin.post(
                "/admin/users/nina",
                [
                    "role": "sales-manager", "manager": "", "emails": "nina@example.com", "enabled": "false",
                    "password": "",
                ])
            #expect(try await server.store.user(named: "nina")?.enabled == false)
            var again = WebBrowserSession(api)
            let login = try await again.post(
                "/login", ["username": "nina", "password": "second password"], csrf: false)
            #expect(login.status == .unauthorized)
        }
    }

    @Test func aBrokenPackageShowsItsErrorWithTheLineAndAnUploadedOneIsPublished() async throws {
        let server = try await TestServer.make()
        try await server.run(web: true) { api in
            var admin = try await WebBrowserSession.login(api, "ada")
            let page = try await admin.get("/admin/packages")
            #expect(page.status == .ok)
            #expect(page.html.contains(#"href="/admin/packages/1""#))
            let broken = """
                name: broken
                version: 2
                types:
                  Account:
                    label: Account
                    fields:
                      name: {kind: nonsense}

                """
            let refused = try await admin.post("/admin/packages", ["yaml": broken, "roles": ""])
            #expect(refused.status == .unprocessableContent)
            #expect(refused.html.contains("The package was not published"))
            #expect(refused.html.contains("line "))
            #expect(refused.html.contains("name: broken"), "the YAML stays in the form")

            var yaml = try DefaultPackage.yaml()
            let version = try #require(yaml.range(of: #"(?m)^version: *[0-9]+"#, options: .regularExpression))
            yaml.replaceSubrange(version, with: "version: 2")
            // Uploaded as a file, as the form's file input sends it.
            _ = try await admin.get("/admin/packages")
            let published = try await admin.postMultipart(
                "/admin/packages", [("yaml", ""), ("roles", "sales-rep, admin")], files: [("file", "v2.yaml", yaml)])
            #expect(published.status == .seeOther)
            #expect(try await server.store.latestPackageVersion() == 2)
            #expect(try await server.store.packageVersion(forRole: "sales-rep") == 2)
            #expect(try await server.store.packageVersion(forRole: "sales-manager") == 1)
            let source = try await admin.get("/admin/packages/2")
            #expect(source.status == .ok)
            #expect(source.html.contains("version: 2"))
        }
    }

    @Test func theSyncMonitorDrawsTheChartAndFiltersTheLog() async throws {
        let server = try await TestServer.make()
        try await server.run(web: true) { api in
            let session = try await SyncSessionFixture.syncOnce(api, user: "rita", errors: ["disk full"])
            _ = try await SyncSessionFixture.syncOnce(api, user: "tess", errors: [])
            var admin = try await WebBrowserSession.login(api, "ada")
            let page = try await admin.get("/admin/sync")
            #expect(page.status == .ok)
            #expect(page.html.contains("<svg"))
            #expect(page.html.contains("2 sessions, 1 with errors"))
            #expect(page.html.contains(#"class="sessions"><title>"#), "a bar for the hour of the sessions")
            #expect(page.html.contains(#"class="errors"><title>"#))
            #expect(page.html.contains(session))
            // The log is the part of the page after the chart and the slowest sessions (which show everyone).
            func log(_ page: WebBrowserSession.Page) -> Substring {
                page.html.range(of: #"id="log""#).map { page.html[$0.upperBound...] } ?? ""
            }
            let filtered = try await admin.get("/admin/sync?user=tess")
            #expect(log(filtered).contains("<td>tess</td>"))
            #expect(!log(filtered).contains("<td>rita</td>"))
            let failed = try await admin.get("/admin/sync?outcome=errors")
            #expect(log(failed).contains("disk full"))
            #expect(!log(failed).contains("<td>tess</td>"))
            #expect(page.html.contains("Slowest sessions"))
            #expect(page.html.contains(#"<label for="filter-user">"#))
            let bad = try await admin.get("/admin/sync?from=yesterday")
            #expect(bad.status == .badRequest)
            #expect(bad.html.contains("is not a date"))
        }
    }
}
