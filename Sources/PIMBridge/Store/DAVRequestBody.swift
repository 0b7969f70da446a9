import Foundation

/// The XML bodies `DAVStore` sends.
enum DAVRequestBody {
    static let header = #"<?xml version="1.0" encoding="utf-8"?>"#
    static let namespaces =
        #"xmlns:d="DAV:" xmlns:card="urn:ietf:params:xml:ns:carddav" xmlns:cal="urn:ietf:params:xml:ns:caldav""#

    /// PROPFIND for the properties that lead from a URL to the homes of address books and calendars.
    static let discovery = Data(
        """
        \(header)<d:propfind \(namespaces)><d:prop><d:resourcetype/><d:current-user-principal/>\
        <card:addressbook-home-set/><cal:calendar-home-set/></d:prop></d:propfind>
        """.utf8)

    /// PROPFIND for the type of a resource.
    static let resourceType = Data(
        "\(header)<d:propfind \(namespaces)><d:prop><d:resourcetype/><d:displayname/></d:prop></d:propfind>".utf8)

    /// PROPFIND Depth 1 for the etags of a collection's items.
    static let etags = Data(
        "\(header)<d:propfind \(namespaces)><d:prop><d:resourcetype/><d:getetag/></d:prop></d:propfind>".utf8)

    /// Extended MKCOL (RFC 5689) for an address book.
    static func makeAddressBook(displayName: String) -> Data {
        Data(
            """
            \(header)<d:mkcol \(namespaces)><d:set><d:prop><d:resourcetype><d:collection/><card:addressbook/>\
            </d:resourcetype><d:displayname>\(escape(displayName))</d:displayname></d:prop></d:set></d:mkcol>
            """.utf8)
    }

    /// MKCALENDAR (RFC 4791) for a calendar of one component type (VEVENT or VTODO).
    static func makeCalendar(displayName: String, component: String) -> Data {
        Data(
            """
            \(header)<cal:mkcalendar \(namespaces)><d:set><d:prop>\
            <d:displayname>\(escape(displayName))</d:displayname>\
            <cal:supported-calendar-component-set><cal:comp name="\(component)"/>\
            </cal:supported-calendar-component-set>\
            </d:prop></d:set></cal:mkcalendar>
            """.utf8)
    }

    /// REPORT sync-collection (RFC 6578) for the etags changed since `token` (nil: all).
    static func syncCollection(token: String?) -> Data {
        Data(
            """
            \(header)<d:sync-collection \(namespaces)><d:sync-token>\(escape(token ?? ""))</d:sync-token>\
            <d:sync-level>1</d:sync-level><d:prop><d:getetag/></d:prop></d:sync-collection>
            """.utf8)
    }

    /// REPORT addressbook-multiget (RFC 6352) or calendar-multiget (RFC 4791) for items' etags and data.
    static func multiget(_ collection: PIMCollection, paths: [String]) -> Data {
        let (report, data) =
            collection == .contacts
            ? ("card:addressbook-multiget", "card:address-data") : ("cal:calendar-multiget", "cal:calendar-data")
        let hrefs = paths.map { "<d:href>\(escape($0))</d:href>" }.joined()
        return Data(
            "\(header)<\(report) \(namespaces)><d:prop><d:getetag/><\(data)/></d:prop>\(hrefs)</\(report)>".utf8)
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
