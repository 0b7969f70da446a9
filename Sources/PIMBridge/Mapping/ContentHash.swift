import Foundation

/// A 64-bit FNV-1a hash of bytes, as hex: enough to tell whether an item changed since the desktop wrote it
/// (not a security measure).
public enum ContentHash {
    public static func of(_ data: Data) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in data {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return String(hash, radix: 16)
    }

    public static func of(_ text: String) -> String { of(Data(text.utf8)) }
}
