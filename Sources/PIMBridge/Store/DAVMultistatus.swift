import Foundation

/// A WebDAV 207 Multi-Status answer (RFC 4918 section 13): one response per resource with its href, its status or
/// its properties by status, and the sync token of a sync-collection report (RFC 6578).
struct DAVMultistatus: Sendable {
    struct Response: Sendable {
        /// The href as the server wrote it (percent-encoded, absolute path or URL).
        var href: String
        /// The status of the whole response (a deleted item in sync-collection: 404; a truncated listing: 507).
        var status: Int?
        /// The properties the server found (those of the propstats with a 2xx status).
        var properties: [DAVXMLElement]

        func property(_ namespace: String, _ name: String) -> DAVXMLElement? {
            properties.first { $0.namespace == namespace && $0.name == name }
        }

        /// The getetag property, when found.
        var etag: String? {
            guard let text = property(DAVXMLElement.dav, "getetag")?.trimmedText, !text.isEmpty else { return nil }
            return text
        }

        /// Whether the resource's resourcetype holds `DAV:collection` (a folder, not an item).
        var isCollection: Bool {
            property(DAVXMLElement.dav, "resourcetype")?.has(DAVXMLElement.dav, "collection") ?? false
        }

        /// The href inside a property such as `current-user-principal` or `calendar-home-set`.
        func hrefProperty(_ namespace: String, _ name: String) -> String? {
            guard let text = property(namespace, name)?.first(DAVXMLElement.dav, "href")?.trimmedText, !text.isEmpty
            else { return nil }
            return text
        }
    }

    var responses: [Response]
    /// The `DAV:sync-token` of a sync-collection answer.
    var syncToken: String?

    /// Reads a multistatus body; nil when it is not one.
    init?(parsing data: Data) {
        guard let root = DAVXMLElement.parse(data), root.namespace == DAVXMLElement.dav, root.name == "multistatus"
        else { return nil }
        responses = root.all(DAVXMLElement.dav, "response").compactMap { element in
            guard let href = element.first(DAVXMLElement.dav, "href")?.trimmedText, !href.isEmpty else { return nil }
            var properties: [DAVXMLElement] = []
            for propstat in element.all(DAVXMLElement.dav, "propstat") {
                let status = propstat.first(DAVXMLElement.dav, "status").flatMap { Self.statusCode($0.trimmedText) }
                guard (200..<300).contains(status ?? 200), let prop = propstat.first(DAVXMLElement.dav, "prop")
                else { continue }
                properties += prop.children
            }
            let status = element.first(DAVXMLElement.dav, "status").flatMap { Self.statusCode($0.trimmedText) }
            return Response(href: href, status: status, properties: properties)
        }
        let token = root.first(DAVXMLElement.dav, "sync-token")?.trimmedText
        syncToken = token?.isEmpty == false ? token : nil
    }

    /// 404 from "HTTP/1.1 404 Not Found".
    static func statusCode(_ line: String) -> Int? {
        let parts = line.split(separator: " ")
        guard parts.count >= 2 else { return nil }
        return Int(parts[1])
    }
}

/// A DAV error body (`<DAV:error><DAV:valid-sync-token/></DAV:error>`) names the precondition that failed.
enum DAVErrorBody {
    /// Whether the body names the precondition `name` (in any namespace).
    static func names(_ name: String, in data: Data) -> Bool {
        guard let root = DAVXMLElement.parse(data) else {
            return String(decoding: data, as: UTF8.self).contains(name)
        }
        return root.name == name || root.children.contains { $0.name == name }
    }

    /// The href inside the precondition element `name` (CalDAV's `no-uid-conflict` names the existing item).
    static func href(in name: String, of data: Data) -> String? {
        guard let root = DAVXMLElement.parse(data) else { return nil }
        let element = root.name == name ? root : root.children.first { $0.name == name }
        return element?.first(DAVXMLElement.dav, "href")?.trimmedText
    }
}
