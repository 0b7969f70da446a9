import Foundation

extension PIMCollection {
    /// The file name (vdir) or last href segment (DAV) of a new item with this UID: the UID itself when it is made
    /// of safe characters (`A-Z a-z 0-9 - _ . @`, not leading with a dot, at most 100 characters, not a name
    /// Windows reserves for a device such as `CON` or `com1.x`), otherwise its safe characters followed by a hash
    /// of the whole UID, so the name is safe in any file system (a vdir may live on a shared or synced drive) and
    /// a URL, and the same UID always gives the same name. The collection's extension follows.
    public func itemName(forUID uid: String) -> String {
        let isSafe =
            !uid.isEmpty && uid.utf8.count <= 100 && !uid.hasPrefix(".") && uid.utf8.allSatisfy(Self.isSafe)
            && !Self.isDeviceName(uid)
        if isSafe { return "\(uid).\(fileExtension)" }
        var prefix = ""
        for byte in uid.utf8 where prefix.count < 40 {
            if Self.isSafe(byte) {
                prefix.append(Character(Unicode.Scalar(byte)))
            } else if !prefix.isEmpty, !prefix.hasSuffix("_") {
                prefix.append("_")
            }
        }
        while prefix.hasPrefix(".") { prefix.removeFirst() }
        // "CON" followed by "-HASH" is no longer a device name, but "con.d" followed by it still is.
        if Self.isDeviceName(prefix) { prefix = "_" + prefix }
        let hash = Self.fnv1a(uid.utf8)
        return prefix.isEmpty ? "\(hash).\(fileExtension)" : "\(prefix)-\(hash).\(fileExtension)"
    }

    /// Names Windows keeps for devices (`CON`, `PRN`, `AUX`, `NUL`, `COM1`-`COM9`, `LPT1`-`LPT9`, any case),
    /// which name no file there whatever extension follows.
    private static func isDeviceName(_ uid: String) -> Bool {
        let stem = uid.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false).first?.uppercased() ?? ""
        if ["CON", "PRN", "AUX", "NUL"].contains(stem) { return true }
        guard stem.count == 4, stem.hasPrefix("COM") || stem.hasPrefix("LPT"), let digit = stem.last else { return false }
        return ("1"..."9").contains(digit)
    }

    private static func isSafe(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."),
            UInt8(ascii: "@"):
            true
        default: false
        }
    }

    /// 64-bit FNV-1a as 16 hex digits: stable across runs and platforms (unlike `Hasher`).
    private static func fnv1a(_ bytes: String.UTF8View) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
