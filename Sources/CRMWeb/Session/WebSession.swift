import CRMServer
import Crypto
import Foundation
import HTTPTypes
import Hummingbird

/// The browser's side of a login: the session token of `AuthService` in an HttpOnly cookie, and the CSRF token
/// every form carries, derived from the session token so that no more state is stored and a page of another
/// site, which cannot read the cookie, cannot make one.
///
/// The cookie is `SameSite=Lax`, not `Strict`: with `Strict` a link to a record followed from a mail or a chat
/// would open on the login page although the user is logged in. Lax already keeps the cookie off cross-site
/// POSTs, and the CSRF token refuses them in any case.
struct WebSession: Sendable {
    static let cookieName = "crm_session"
    /// Whether cookies get `Secure`: the server answers HTTPS.
    let secure: Bool

    /// The session token of the request's cookie, if any.
    static func token(_ request: Request) -> String? {
        guard let value = request.cookies[cookieName]?.value, !value.isEmpty else { return nil }
        return value
    }

    /// The CSRF token that forms of the session `token` must carry.
    static func csrfToken(for token: String) -> String {
        let digest = SHA256.hash(data: Data(("crm-web-csrf:" + token).utf8))
        return digest.map { String(format: "%02x", $0) }.joined()
    }

    /// Whether `sent` is the CSRF token of `token`, compared in constant time.
    static func csrfMatches(_ sent: String?, token: String) -> Bool {
        let expected = Array(csrfToken(for: token).utf8)
        guard let sent, sent.utf8.count == expected.count else { return false }
        return zip(sent.utf8, expected).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }

    /// The `Set-Cookie` value that stores `token` for the length of a session.
    func cookie(token: String, lifetime: TimeInterval) -> String {
        "\(Self.cookieName)=\(token); Path=/; Max-Age=\(Int(lifetime)); HttpOnly; SameSite=Lax"
            + (secure ? "; Secure" : "")
    }

    /// The `Set-Cookie` value that removes the cookie.
    func clearingCookie() -> String {
        "\(Self.cookieName)=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax" + (secure ? "; Secure" : "")
    }
}
