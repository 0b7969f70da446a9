import CRMModel
import Crypto
import Foundation

/// Where a device is in its pulls, as the server signed it. Opaque to the device.
///
/// A cursor names the store epoch, the device, the page generation it acknowledges, the re-evaluations it
/// has served, and the phase: re-evaluating the scope type by type (`rescan`), bringing the targets of
/// references (`references`), or following the change feed (`feed`).
struct SyncCursor: Codable, Sendable, Equatable {
    enum Phase: String, Codable, Sendable { case rescan, references, feed }

    var epoch: String
    var device: String
    var generation: Int64
    var rescansServed: Int
    var phase: Phase
    /// The change feed position: in `feed`, the last sequence number delivered; in `rescan` and
    /// `references`, where the feed resumes once the re-evaluation ends.
    var seq: Int64
    /// In `rescan`: the type being walked and the last id done in it.
    var type: String?
    var afterID: String?
    /// In `rescan`: send every record in scope again, whatever version the device holds.
    var full: Bool?
    /// In `rescan`: walk only these types (nil: every synced type), those due again after a deferral.
    var types: [String]?
    /// When the cursor was issued, in milliseconds since 1970: older than the retention horizon means reset.
    var issued: Int64

    /// `base64url(json).base64url(hmac)`.
    func signed(key: Data) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let payload = (try? encoder.encode(self)) ?? Data()
        let mac = HMAC<SHA256>.authenticationCode(for: payload, using: SymmetricKey(data: key))
        return Self.base64URL(payload) + "." + Self.base64URL(Data(mac))
    }

    /// The cursor, if `text` is one this store signed; nil for anything forged, truncated or foreign.
    static func verified(_ text: String, key: Data) -> SyncCursor? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, let payload = fromBase64URL(parts[0]), let mac = fromBase64URL(parts[1]),
            HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: payload, using: SymmetricKey(data: key))
        else { return nil }
        return try? JSONDecoder().decode(SyncCursor.self, from: payload)
    }

    static func base64URL(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func fromBase64URL(_ text: Substring) -> Data? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        return Data(base64Encoded: base64)
    }
}
