import Foundation
import HTTPTypes
import Hummingbird
import Mustache

/// Renders the web UI's Mustache templates (resources of this target) into HTML responses. Every value goes
/// through `{{ }}`, which escapes HTML; the one `{{{ }}}` is the sync monitor's SVG, built from numbers.
public struct PageRenderer: Sendable {
    let library: MustacheLibrary

    /// Loads every `.mustache` file of the target's `Templates` folder; a template that does not parse fails here,
    /// before the server listens.
    public init() throws {
        guard let folder = Bundle.module.resourceURL?.appendingPathComponent("Templates") else {
            throw WebSetupError(message: "the CRMWeb bundle has no resources")
        }
        var library = MustacheLibrary()
        let files = try FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)
        for file in files where file.pathExtension == "mustache" {
            let text = try String(contentsOf: file, encoding: .utf8)
            do {
                try library.register(text, named: file.deletingPathExtension().lastPathComponent)
            } catch {
                throw WebSetupError(message: "template \(file.lastPathComponent) does not parse: \(error)")
            }
        }
        self.library = library
    }

    /// The page `template` filled from `values`, inside the layout, as an HTML response.
    func page(_ template: String, _ values: [String: Any], status: HTTPResponse.Status = .ok) -> Response {
        let html = library.render(values, withTemplate: template) ?? "template \(template) is missing"
        return Self.html(html, status: status)
    }

    /// An HTML response with the headers every page carries: no caching of personal data, no framing, no
    /// scripts from anywhere (the pages have none), no type sniffing.
    static func html(_ html: String, status: HTTPResponse.Status = .ok, headers extra: HTTPFields = [:]) -> Response {
        var headers = extra
        headers[.contentType] = "text/html; charset=utf-8"
        headers[.cacheControl] = "no-store"
        headers[.contentSecurityPolicy] =
            "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'"
        headers[.xContentTypeOptions] = "nosniff"
        headers[.referrerPolicy] = "same-origin"
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: html)))
    }

    /// A 303 redirect to `location`, with extra headers (a cookie being set or cleared).
    static func redirect(_ location: String, headers extra: HTTPFields = [:]) -> Response {
        var headers = extra
        headers[.location] = location
        headers[.cacheControl] = "no-store"
        return Response(status: .seeOther, headers: headers)
    }
}

/// The web UI cannot start: a resource of the target is missing or does not parse.
public struct WebSetupError: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}

extension HTTPField.Name {
    static let referrerPolicy = Self("Referrer-Policy")!
}
