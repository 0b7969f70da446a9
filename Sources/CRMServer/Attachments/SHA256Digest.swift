import CRMStore
import Crypto
import Foundation

/// swift-crypto's SHA-256 as the store's `ContentDigest`: the store hashes an upload's rows with it when the
/// upload finishes, without itself depending on a crypto library.
public struct SHA256Digest: ContentDigest {
    private var hash = SHA256()

    public init() {}

    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        hash.update(bufferPointer: bytes)
    }

    public func hexDigest() -> String {
        Self.hex(hash.finalize())
    }

    /// The lowercase hex SHA-256 of `data`: the name content has in the attachment store.
    public static func hex(of data: Data) -> String {
        hex(SHA256.hash(data: data))
    }

    private static func hex(_ digest: SHA256.Digest) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var output: [UInt8] = []
        output.reserveCapacity(64)
        for byte in digest {
            output.append(digits[Int(byte >> 4)])
            output.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: output, as: UTF8.self)
    }
}
