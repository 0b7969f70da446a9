/// Quoted-printable values of vCard 2.1 (`ENCODING=QUOTED-PRINTABLE`, RFC 2045 section 6.7). The content-line
/// reader has already joined soft line breaks (a line ending in `=`); what is left is `=XX` escapes among
/// plain characters.
enum VCardQuotedPrintable {
    /// The bytes a value stands for. `=XX` is one byte; a `=` not followed by two hexadecimal digits is kept as
    /// it is (lenient, as every reader is); other characters are turned back into the bytes they were in the
    /// file, in `fileCharset`, the encoding the file was decoded with.
    static func bytes(_ value: String, fileCharset: VCardCharset) -> [UInt8] {
        let scalars = Array(value.unicodeScalars)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(scalars.count)
        var index = 0
        while index < scalars.count {
            let scalar = scalars[index]
            if scalar == "=", index + 2 < scalars.count, let high = hexDigit(scalars[index + 1]),
                let low = hexDigit(scalars[index + 2])
            {
                bytes.append(high << 4 | low)
                index += 3
                continue
            }
            if scalar.isASCII {
                bytes.append(UInt8(scalar.value))
            } else {
                let character = String(scalar)
                bytes += fileCharset.encode(character) ?? Array(character.utf8)
            }
            index += 1
        }
        return bytes
    }

    /// The decoded text: in `charset` when the value names one, else UTF-8 when the bytes are valid UTF-8 and
    /// Windows-1252 when not.
    static func decode(_ value: String, charset: VCardCharset?, fileCharset: VCardCharset) -> String {
        let bytes = bytes(value, fileCharset: fileCharset)
        if let charset { return charset.decode(bytes) }
        return VCardCharset.decodeGuessing(bytes)
    }

    private static func hexDigit(_ scalar: Unicode.Scalar) -> UInt8? {
        switch scalar.value {
        case 0x30...0x39: UInt8(scalar.value - 0x30)
        case 0x41...0x46: UInt8(scalar.value - 0x41 + 10)
        case 0x61...0x66: UInt8(scalar.value - 0x61 + 10)
        default: nil
        }
    }
}
