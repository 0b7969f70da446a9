import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A block of IP addresses written as CIDR (`127.0.0.0/8`, `10.1.0.0/16`, `::1/128`, or one address): who may
/// read `GET /metrics` without a session (`ServerConfiguration.metricsNetworks`).
public struct NetworkRange: Sendable, Equatable, CustomStringConvertible {
    /// The network's address bytes (4 for IPv4, 16 for IPv6).
    let bytes: [UInt8]
    /// How many leading bits must match.
    let prefix: Int
    public let description: String

    /// Loopback, IPv4 and IPv6: the default audience of `/metrics`.
    public static let loopback: [NetworkRange] = [
        NetworkRange(bytes: [127, 0, 0, 0], prefix: 8, description: "127.0.0.0/8"),
        NetworkRange(bytes: [UInt8](repeating: 0, count: 15) + [1], prefix: 128, description: "::1/128"),
    ]

    private init(bytes: [UInt8], prefix: Int, description: String) {
        self.bytes = bytes
        self.prefix = prefix
        self.description = description
    }

    /// Reads `text`; throws `NetworkRangeError` naming the text when it is no address or the prefix is too long.
    public init(_ text: String) throws {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        guard let bytes = Self.addressBytes(parts[0]) else {
            throw NetworkRangeError(text: text, reason: "'\(parts[0])' is not an IPv4 or IPv6 address")
        }
        let bits = bytes.count * 8
        var prefix = bits
        if parts.count == 2 {
            guard let given = Int(parts[1]), (0...bits).contains(given) else {
                throw NetworkRangeError(text: text, reason: "the prefix length is a number from 0 to \(bits)")
            }
            prefix = given
        }
        self.bytes = bytes
        self.prefix = prefix
        self.description = text
    }

    /// Whether `address` (as a peer's address is written: `127.0.0.1`, `::1`, `::ffff:10.0.0.1`) is in the range.
    public func contains(_ address: String) -> Bool {
        guard var candidate = Self.addressBytes(address) else { return false }
        // An IPv4 peer on a dual-stack socket shows as ::ffff:a.b.c.d.
        if candidate.count == 16, bytes.count == 4, candidate.prefix(12) == [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF] {
            candidate = Array(candidate.suffix(4))
        }
        guard candidate.count == bytes.count else { return false }
        var left = prefix
        for (mine, theirs) in zip(bytes, candidate) where left > 0 {
            let mask: UInt8 = left >= 8 ? 0xFF : ~(0xFF >> UInt8(left))
            if mine & mask != theirs & mask { return false }
            left -= 8
        }
        return true
    }

    static func addressBytes(_ text: String) -> [UInt8]? {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            return withUnsafeBytes(of: &v4) { Array($0) }
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 {
            return withUnsafeBytes(of: &v6) { Array($0) }
        }
        return nil
    }
}

/// A network range that could not be read; says which text and why.
public struct NetworkRangeError: Error, CustomStringConvertible {
    public let text: String
    public let reason: String
    public var description: String { "'\(text)' is not a network range like 10.0.0.0/8 or ::1/128: \(reason)" }
}
