import Foundation
import Hummingbird

/// The fields of a submitted form (`application/x-www-form-urlencoded`), in order; a name may repeat (a
/// multiple select sends one pair per chosen option).
struct FormBody: Sendable {
    let pairs: [(name: String, value: String)]

    /// The largest form the web UI reads; a package's YAML is the largest thing a form carries.
    static let maxBytes = 2 << 20

    /// Reads the request's body as a form.
    static func read(_ request: Request) async throws -> FormBody {
        var request = request
        let buffer = try await request.collectBody(upTo: maxBytes)
        return FormBody(text: String(buffer: buffer))
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
