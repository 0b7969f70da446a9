import Foundation

/// A 64-bit FNV-1a hash of bytes, as hex: enough to tell whether an item changed since the desktop wrote it
/// (not a security measure).
public enum ContentHash {
    public static func of(_ data: Data) -> String {
        var hasher = ContentHasher()
        hasher.combine(data)
        return hasher.hex
    }

    public static func of(_ text: String) -> String {
        var hasher = ContentHasher()
        hasher.combine(text)
        return hasher.hex
    }
}

/// `ContentHash` fed piece by piece: the fingerprint of several texts (a record's stored JSON and its pending
/// edits) without joining them first. `part` ends each piece with a separator, so ("ab", "c") and ("a", "bc") differ.
public struct ContentHasher: Sendable {
    private var hash: UInt64 = 0xcbf2_9ce4_8422_2325

    public init() {}

    public mutating func combine(_ data: Data) {
        data.withUnsafeBytes { combine(bytes: $0) }
    }

    /// The bytes of `text`, as `ContentHash.of` hashes them.
    public mutating func combine(_ text: String) {
        var text = text
        text.withUTF8 { combine(bytes: UnsafeRawBufferPointer($0)) }
    }

    /// One part of several: its bytes, then a separator.
    public mutating func part(_ text: String) {
        combine(text)
        separate()
    }

    /// The hash so far, as hex.
    public var hex: String { String(hash, radix: 16) }

    private mutating func combine(bytes: UnsafeRawBufferPointer) {
        var hash = self.hash
        for byte in bytes {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        self.hash = hash
    }

    private mutating func separate() {
        hash ^= 0xff
        hash = hash &* 0x0000_0100_0000_01b3
    }
}
