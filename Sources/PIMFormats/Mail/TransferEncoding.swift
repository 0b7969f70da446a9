/// The Content-Transfer-Encoding of a part (RFC 2045 section 6) and its lenient decoders: what real mail
/// writes (`base64;`, lowercase hex, missing padding, broken escapes) is read, never rejected.
enum TransferEncoding: Sendable, Equatable {
    /// 7bit, 8bit, binary, or a value nobody knows: the bytes are the content.
    case identity
    case quotedPrintable
    case base64

    /// The encoding a header value names: the first token, so `base64;` or `Base64 (comment)` count.
    init(header: String?) {
        let token = (header ?? "").lowercased().split { !($0.isLetter || $0.isNumber || $0 == "-") }.first
        switch token {
        case "quoted-printable": self = .quotedPrintable
        case "base64": self = .base64
        default: self = .identity
        }
    }

    func decode(_ bytes: ArraySlice<UInt8>) -> [UInt8] {
        switch self {
        case .identity: Array(bytes)
        case .quotedPrintable: Self.decodeQuotedPrintable(bytes)
        case .base64: Self.decodeBase64(bytes)
        }
    }

    /// Quoted-printable: `=XX` (either case) is a byte, `=` at the end of a line a soft break, trailing spaces
    /// and tabs of a line are dropped, and a `=` not followed by two hexadecimal digits is kept literally.
    static func decodeQuotedPrintable(_ input: some Collection<UInt8>) -> [UInt8] {
        let bytes = Array(input)
        // The output is never longer than the input, so it is written in place into one allocation.
        return [UInt8](unsafeUninitializedCapacity: bytes.count) { output, written in
            written = 0
            bytes.withUnsafeBufferPointer { buffer in
                let count = buffer.count
                var index = 0
                var pendingSpaces = 0  // spaces and tabs not yet written: dropped if the line ends after them
                while index < count {
                    let byte = buffer[index]
                    switch byte {
                    case 0x20, 0x09:
                        pendingSpaces += 1
                        index += 1
                        continue
                    case 0x0D, 0x0A:
                        pendingSpaces = 0
                        output[written] = byte
                        written += 1
                        index += 1
                        continue
                    default: break
                    }
                    for space in (index - pendingSpaces)..<index {
                        output[written] = buffer[space]
                        written += 1
                    }
                    pendingSpaces = 0
                    guard byte == 0x3D else {
                        output[written] = byte
                        written += 1
                        index += 1
                        continue
                    }
                    if index + 2 < count, let high = hexValue(buffer[index + 1]),
                        let low = hexValue(buffer[index + 2])
                    {
                        output[written] = high << 4 | low
                        written += 1
                        index += 3
                        continue
                    }
                    // A soft line break: `=`, optional trailing whitespace, then the line end (or the input's end).
                    var look = index + 1
                    while look < count, buffer[look] == 0x20 || buffer[look] == 0x09 { look += 1 }
                    if look == count {
                        index = look
                    } else if buffer[look] == 0x0A {
                        index = look + 1
                    } else if buffer[look] == 0x0D, look + 1 < count, buffer[look + 1] == 0x0A {
                        index = look + 2
                    } else if buffer[look] == 0x0D {
                        index = look + 1
                    } else {
                        output[written] = byte  // a broken escape: kept as written
                        written += 1
                        index += 1
                    }
                }
            }
        }
    }

    /// Base64, ignoring every byte outside the alphabet (line breaks, spaces, junk); `=` ends a quantum, so
    /// missing padding and several concatenated base64 blocks are read too.
    static func decodeBase64(_ input: some Collection<UInt8>) -> [UInt8] {
        let bytes = Array(input)
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count / 4 * 3 + 3)
        bytes.withUnsafeBufferPointer { buffer in
            base64Values.withUnsafeBufferPointer { table in
                var quantum: UInt32 = 0
                var filled = 0
                for byte in buffer {
                    let value = table[Int(byte)]
                    if value < 64 {
                        quantum = quantum << 6 | UInt32(value)
                        filled += 1
                        if filled == 4 {
                            output.append(UInt8(truncatingIfNeeded: quantum >> 16))
                            output.append(UInt8(truncatingIfNeeded: quantum >> 8))
                            output.append(UInt8(truncatingIfNeeded: quantum))
                            quantum = 0
                            filled = 0
                        }
                    } else if byte == 0x3D, filled > 0 {
                        flush(&quantum, &filled, into: &output)
                    }
                }
                flush(&quantum, &filled, into: &output)
            }
        }
        return output
    }

    /// The bytes of a partial quantum: two characters give one byte, three give two, one gives none.
    private static func flush(_ quantum: inout UInt32, _ filled: inout Int, into output: inout [UInt8]) {
        switch filled {
        case 2: output.append(UInt8(truncatingIfNeeded: quantum >> 4))
        case 3:
            output.append(UInt8(truncatingIfNeeded: quantum >> 10))
            output.append(UInt8(truncatingIfNeeded: quantum >> 2))
        default: break
        }
        quantum = 0
        filled = 0
    }

    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: byte - 0x30
        case 0x41...0x46: byte - 0x41 + 10
        case 0x61...0x66: byte - 0x61 + 10
        default: nil
        }
    }

    /// The value of each byte in the base64 alphabet (RFC 4648); 255 elsewhere.
    private static let base64Values: [UInt8] = {
        var table = [UInt8](repeating: 255, count: 256)
        for (index, byte) in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8.enumerated() {
            table[Int(byte)] = UInt8(index)
        }
        return table
    }()
}
