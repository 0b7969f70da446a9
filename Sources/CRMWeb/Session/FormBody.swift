import Foundation
import Hummingbird

/// The fields of a submitted form, in order; a name may repeat (a multiple select sends one pair per chosen
/// option). Forms come url-encoded, or as `multipart/form-data` when they carry a file (a package's YAML), whose
/// text content is the value of its field.
struct FormBody: Sendable {
    let pairs: [(name: String, value: String)]

    /// The largest form the web UI reads: a CSV file to import is the largest thing a form carries (larger
    /// files go through `crm-server import` or the API, which take 64 MiB).
    static let maxBytes = 16 << 20

    /// Reads the request's body as a form.
    static func read(_ request: Request) async throws -> FormBody {
        var request = request
        let buffer = try await request.collectBody(upTo: maxBytes)
        let type = request.headers[.contentType] ?? ""
        if type.lowercased().hasPrefix("multipart/form-data"),
            let boundary = type.split(separator: ";").lazy.map({ $0.trimmingCharacters(in: .whitespaces) })
                .first(where: { $0.lowercased().hasPrefix("boundary=") })?.dropFirst("boundary=".count)
        {
            return FormBody(
                multipart: String(buffer: buffer), boundary: String(boundary).trimmingCharacters(in: ["\""]))
        }
        return FormBody(text: String(buffer: buffer))
    }

    /// The parts of a `multipart/form-data` body (RFC 7578): each part's `name` and its content as text.
    init(multipart body: String, boundary: String) {
        var pairs: [(name: String, value: String)] = []
        for part in body.components(separatedBy: "--" + boundary).dropFirst() {
            if part.hasPrefix("--") { break }
            guard let split = part.range(of: "\r\n\r\n") else { continue }
            let headers = part[..<split.lowerBound]
            var content = part[split.upperBound...]
            // "\r\n" is one Character in Swift: cut it by range, not by count.
            if let end = content.range(of: "\r\n", options: [.backwards, .anchored]) {
                content = content[..<end.lowerBound]
            }
            guard
                let disposition = headers.components(separatedBy: "\r\n")
                    .first(where: { $0.lowercased().hasPrefix("content-disposition:") }),
                let nameRange = disposition.range(of: "name=\"")
            else { continue }
            let rest = disposition[nameRange.upperBound...]
            guard let end = rest.firstIndex(of: "\"") else { continue }
            pairs.append((String(rest[..<end]), String(content)))
        }
        self.pairs = pairs
    }

    init(text: String) {
        pairs = text.split(separator: "&", omittingEmptySubsequences: true).map { part in
            let pieces = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            return (Self.decode(pieces[0]), pieces.count > 1 ? Self.decode(pieces[1]) : "")
        }
    }

    /// The first value of `name`.
    subscript(_ name: String) -> String? { pairs.first { $0.name == name }?.value }

    /// Every value of `name`, in order.
    func all(_ name: String) -> [String] { pairs.filter { $0.name == name }.map(\.value) }

    private static func decode(_ text: Substring) -> String {
        String(text).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(text)
    }
}
