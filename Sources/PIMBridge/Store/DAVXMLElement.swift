import Foundation

#if canImport(FoundationXML)
import FoundationXML
#endif

/// One element of a WebDAV XML answer, with its namespace, its text and its child elements: enough of a tree to
/// read a multistatus (attributes are not kept).
struct DAVXMLElement: Sendable, Equatable {
    static let dav = "DAV:"
    static let cardDAV = "urn:ietf:params:xml:ns:carddav"
    static let calDAV = "urn:ietf:params:xml:ns:caldav"

    var namespace: String
    var name: String
    /// The character data directly inside the element (CDATA included).
    var text: String = ""
    var children: [DAVXMLElement] = []

    func first(_ namespace: String, _ name: String) -> DAVXMLElement? {
        children.first { $0.namespace == namespace && $0.name == name }
    }

    func all(_ namespace: String, _ name: String) -> [DAVXMLElement] {
        children.filter { $0.namespace == namespace && $0.name == name }
    }

    /// Whether the element has a child of that name.
    func has(_ namespace: String, _ name: String) -> Bool { first(namespace, name) != nil }

    /// The text of the element with surrounding white space removed.
    var trimmedText: String { text.trimmingCharacters(in: .whitespacesAndNewlines) }

    /// Parses a document; nil when it is not well-formed XML.
    static func parse(_ data: Data) -> DAVXMLElement? {
        let parser = XMLParser(data: data)
        parser.shouldProcessNamespaces = true
        parser.shouldResolveExternalEntities = false
        let builder = DAVXMLTreeBuilder()
        parser.delegate = builder
        guard parser.parse() else { return nil }
        return builder.root
    }
}

/// Collects XMLParser events into `DAVXMLElement`s; used by one parse on one thread.
private final class DAVXMLTreeBuilder: NSObject, XMLParserDelegate {
    var stack: [DAVXMLElement] = []
    var root: DAVXMLElement?

    func parser(
        _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?,
        attributes: [String: String] = [:]
    ) {
        // On Linux an element without a namespace has "" here; on Darwin it may be nil.
        stack.append(DAVXMLElement(namespace: namespaceURI ?? "", name: elementName))
    }

    func parser(
        _ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?
    ) {
        guard let element = stack.popLast() else { return }
        if stack.isEmpty {
            root = element
        } else {
            stack[stack.count - 1].children.append(element)
        }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        guard !stack.isEmpty else { return }
        stack[stack.count - 1].text += string
    }

    func parser(_ parser: XMLParser, foundCDATA CDATABlock: Data) {
        guard !stack.isEmpty else { return }
        stack[stack.count - 1].text += String(decoding: CDATABlock, as: UTF8.self)
    }
}
