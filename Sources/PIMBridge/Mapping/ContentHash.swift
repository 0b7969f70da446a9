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

/// A fingerprint of texts for telling whether anything changed, 8 bytes at a time (several times faster than
/// `ContentHash` on long texts; not the same values, so never compared with an item's hash).
public struct SourceHasher: Sendable {
    private var hash: UInt64 = 0xcbf2_9ce4_8422_2325

    public init() {}

    /// One piece: its bytes and its length, so ("ab", "c") and ("a", "bc") differ.
    public mutating func part(_ text: String) {
        var text = text
        text.withUTF8 { part(UnsafeRawBufferPointer($0)) }
    }

    /// One piece given as bytes (the same fingerprint as the text of those UTF-8 bytes), for bytes read in
    /// place without making a `String` of them.
    public mutating func part(_ raw: UnsafeRawBufferPointer) {
        var offset = 0
        while offset + 8 <= raw.count {
            mix(raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
            offset += 8
        }
        var last: UInt64 = 0
        for index in offset..<raw.count { last |= UInt64(raw[index]) << (UInt64(index - offset) * 8) }
        mix(last)
        mix(UInt64(raw.count))
    }

    /// The fingerprint so far, as hex.
    public var hex: String { String(hash, radix: 16) }

    private mutating func mix(_ word: UInt64) {
        hash = (hash ^ word) &* 0x9e37_79b9_7f4a_7c15
        hash ^= hash >> 29
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
