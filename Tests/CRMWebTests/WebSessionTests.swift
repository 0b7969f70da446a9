import CRMModel
import CRMServer
import CRMTesting
import Foundation
import HTTPTypes
import Testing

@testable import CRMWeb

/// Login, logout, the session cookie's flags and the CSRF token, through real HTTP on loopback.
@Suite struct WebSessionTests {
    @Test func loginSetsAnHttpOnlyLaxCookieAndLogoutEndsTheSessionOnTheServer() async throws {
        let server = try await TestServer.make()
        try await server.run(web: true) { api in
            var browser = WebBrowserSession(api)
            let login = try await browser.post(
                "/login", ["username": "rita", "password": TestServer.password], csrf: false)
            #expect(login.status == .seeOther)
            #expect(login.location == "/home")
            let cookie = try #require(login.headers[.setCookie])
            #expect(cookie.hasPrefix("crm_session="))
            #expect(cookie.contains("HttpOnly"))
            #expect(cookie.contains("SameSite=Lax"))
            #expect(cookie.contains("Path=/"))
            #expect(!cookie.contains("Secure"), "Secure is for a server answering HTTPS")
            let home = try await browser.get("/home")
            #expect(home.status == .ok)
            #expect(home.html.contains("Welcome, rita"))
            let stolen = browser.cookie

            let logout = try await browser.post("/logout", [:])
            #expect(logout.status == .seeOther)
            #expect(logout.headers[.setCookie]?.contains("Max-Age=0") == true)
            // The old cookie no longer opens a page: the session is gone from the store, not only from the browser.
            browser.cookie = stolen
            let after = try await browser.get("/home")
            #expect(after.status == .seeOther)
            #expect(after.location?.hasPrefix("/login") == true)
        }
    }

    @Test func wrongPasswordShowsTheLoginPageAgainWith401() async throws {
        let server = try await TestServer.make()
        try await server.run(web: true) { api in
            var browser = WebBrowserSession(api)
            let page = try await browser.post(
                "/login", ["username": "rita", "password": "wrong password"], csrf: false)
            #expect(page.status == .unauthorized)
            #expect(page.html.contains("wrong user name or password"))
            #expect(page.html.contains(#"value="rita""#))
            #expect(page.headers[.setCookie] == nil)
        }
    }

    @Test func pagesWithoutASessionGoToTheLoginPageAndBack() async throws {
        let server = try await TestServer.make()
        try await server.run(web: true) { api in
            var browser = WebBrowserSession(api)
            let page = try await browser.get("/records/Account")
            #expect(page.status == .seeOther)
            #expect(page.location == "/login?next=%2Frecords%2FAccount")
            let login = try await browser.post(
                "/login", ["username": "rita", "password": TestServer.password, "next": "/records/Account"], csrf: false
            )
            #expect(login.location == "/records/Account")
            let elsewhere = try await browser.post(
                "/login", ["username": "rita", "password": TestServer.password, "next": "//evil.example/"], csrf: false)
            #expect(elsewhere.location == "/home", "a login never sends the browser to another site")
        }
    }

    @Test func aPostWithoutTheSessionsCSRFTokenIsRefusedWith403AndChangesNothing() async throws {
        let server = try await TestServer.make()
        try await server.run(web: true) { api in
            var browser = try await WebBrowserSession.login(api, "rita")
            let missing = try await browser.postRaw("/records/Account", [("name", "Forged Ltd")])
            #expect(missing.status == .forbidden)
            #expect(missing.html.contains("Form refused"))
            let wrong = try await browser.postRaw(
                "/records/Account", [("name", "Forged Ltd"), ("csrf", String(repeating: "0", count: 64))])
            #expect(wrong.status == .forbidden)
            // Another session's token does not do either.
            let other = try await WebBrowserSession.login(api, "peter")
            let crossed = try await browser.postRaw(
                "/records/Account", [("name", "Forged Ltd"), ("csrf", other.csrf ?? "")])
            #expect(crossed.status == .forbidden)
            let logout = try await browser.postRaw("/logout", [])
            #expect(logout.status == .forbidden)
            let list = try await browser.get("/records/Account")
            #expect(!list.html.contains("Forged Ltd"))
        }
    }

    @Test func theCookieIsSecureWhenTheServerAnswersHTTPS() async throws {
        // The HTTPS test client follows redirects (and keeps no cookies), so the login's own answer is not seen
        // over HTTPS; the cookie the server builds for a TLS configuration is checked instead, and the pages are
        // checked to be served over HTTPS at all.
        let cookie = WebSession(secure: true).cookie(token: "token", lifetime: 3600)
        #expect(cookie == "crm_session=token; Path=/; Max-Age=3600; HttpOnly; SameSite=Lax; Secure")
        #expect(!WebSession(secure: false).cookie(token: "token", lifetime: 3600).contains("Secure"))
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let authority = try TestCertificateAuthority(in: directory)
        var configuration = ServerConfiguration(bcryptCost: 4)
        configuration.tls = ServerTLS(certificateFile: authority.certificateFile, keyFile: authority.keyFile)
        let server = try await TestServer.make(configuration: configuration)
        try await server.run(testing: .ahc(.https), web: true) { api in
            var browser = WebBrowserSession(api)
            let page = try await browser.get("/login")
            #expect(page.status == .ok)
            #expect(page.html.contains(#"<label for="password">"#))
        }
    }
}
