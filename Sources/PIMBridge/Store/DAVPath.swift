import Foundation

/// Hrefs between a DAV server and the callers of `DAVStore`: the server writes them percent-encoded, as absolute
/// paths or whole URLs; callers see the decoded last segment for an item inside the collection (`a b.vcf`) and the
/// decoded absolute path for one elsewhere (`/other/a b.vcf`), and get the same href for the same resource
/// whatever the server's spelling.
enum DAVPath {
    /// Characters kept as they are in a path segment; all others are percent-encoded.
    private static let segmentCharacters = CharacterSet(
        charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~@")

    static func encodeSegment(_ segment: String) -> String {
        segment.addingPercentEncoding(withAllowedCharacters: segmentCharacters) ?? segment
    }

    /// The decoded segments of a URL's path.
    static func segments(of url: URL) -> [String] {
        let path = URLComponents(url: url, resolvingAgainstBaseURL: true)?.percentEncodedPath ?? url.path
        return path.split(separator: "/", omittingEmptySubsequences: true).map {
            $0.removingPercentEncoding ?? String($0)
        }
    }

    /// The URL of a collection, with the trailing slash collections have.
    static func asCollection(_ url: URL) -> URL {
        let absolute = url.absoluteURL
        return absolute.absoluteString.hasSuffix("/")
            ? absolute : URL(string: absolute.absoluteString + "/") ?? absolute
    }

    /// The collection above a collection.
    static func parent(of collection: URL) -> URL {
        URL(string: "..", relativeTo: asCollection(collection))?.absoluteURL ?? collection
    }

    /// `collection/name/`.
    static func child(_ name: String, of collection: URL) -> URL {
        URL(string: encodeSegment(name) + "/", relativeTo: asCollection(collection))?.absoluteURL ?? collection
    }

    /// The URL of the item a caller's href names.
    static func itemURL(_ href: String, in collection: URL) -> URL {
        let reference =
            href.hasPrefix("/")
            ? "/"
                + href.split(separator: "/", omittingEmptySubsequences: true).map { encodeSegment(String($0)) }
                .joined(separator: "/")
            : encodeSegment(href)
        return URL(string: reference, relativeTo: asCollection(collection))?.absoluteURL ?? collection
    }

    /// The absolute URL of an href in an answer from `base`.
    static func resolve(_ href: String, against base: URL) -> URL? {
        URL(string: href, relativeTo: base)?.absoluteURL
            ?? URL(
                string: href.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? href, relativeTo: base)?
            .absoluteURL
    }

    /// The caller's href for an href in an answer from `base`, relative to `collection` when inside it.
    static func itemHref(_ href: String, answeredBy base: URL, collection: URL) -> String {
        guard let url = resolve(href, against: base) else { return href }
        let item = segments(of: url)
        let folder = segments(of: collection)
        if item.count == folder.count + 1, Array(item.prefix(folder.count)) == folder {
            return item[item.count - 1]
        }
        return "/" + item.joined(separator: "/")
    }

    /// Whether an href in an answer names `url` itself (the collection in its own listing).
    static func names(_ href: String, answeredBy base: URL, _ url: URL) -> Bool {
        guard let resolved = resolve(href, against: base) else { return false }
        return segments(of: resolved) == segments(of: url)
    }
}
