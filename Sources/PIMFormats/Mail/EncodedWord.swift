/// RFC 2047 encoded words (`=?charset?B|Q?text?=`) in header text, decoded the way real mail needs: wherever
/// they appear (also inside quoted display names and parameter values), adjacent words joined without the
/// whitespace between them, and adjacent words of one charset decoded together so a character split across
/// two words (as base64 encoders do) comes out whole.
enum EncodedWord {
    /// The text with every encoded word decoded. Charsets nobody knows are read as ISO-8859-1 and appended to
    /// `unknownCharsets`.
    static func decode(_ text: String, unknownCharsets: inout [String]) -> String {
        guard text.contains("=?") else { return text }
        let bytes = Array(text.utf8)
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        // Decoded bytes of the current run of adjacent encoded words with one charset.
        var run: (charset: String, bytes: [UInt8])?
        var index = 0
        var literalStart = 0
        var failedUntil = 0
        func flushRun() {
            guard let current = run else { return }
            output += Array(decodeBytes(current.bytes, charset: current.charset, unknown: &unknownCharsets).utf8)
            run = nil
        }
        while index < bytes.count {
            guard bytes[index] == 0x3D, index + 1 < bytes.count, bytes[index + 1] == 0x3F, index >= failedUntil,
                let word = parseWord(bytes, at: index, failedUntil: &failedUntil)
            else {
                index += 1
                continue
            }
            // The text between the previous word and this one: dropped when it is only whitespace.
            let between = bytes[literalStart..<index]
            let onlyWhitespace = between.allSatisfy { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D || $0 == 0x0A }
            if let current = run, onlyWhitespace {
                if current.charset == word.charset {
                    run!.bytes += word.bytes
                } else {
                    flushRun()
                    run = (word.charset, word.bytes)
                }
            } else {
                flushRun()
                output += between
                run = (word.charset, word.bytes)
            }
            index = word.end
            literalStart = index
        }
        flushRun()
        output += bytes[literalStart...]
        return String(decoding: output, as: UTF8.self)
    }

    /// The same, ignoring unknown charsets.
    static func decode(_ text: String) -> String {
        var ignored: [String] = []
        return decode(text, unknownCharsets: &ignored)
    }

    /// The encoded word at `start` (which holds `=?`): its charset (lowercased, language dropped), decoded
    /// bytes and the offset after its closing `?=`. Nil when the bytes there are not an encoded word.
    static func parseWord(_ bytes: [UInt8], at start: Int) -> (charset: String, bytes: [UInt8], end: Int)? {
        var failedUntil = 0
        return parseWord(bytes, at: start, failedUntil: &failedUntil)
    }

    /// `failedUntil` is raised to the whitespace (or end) where a word's text ran out without `?=`: no word
    /// can start before it, so callers skip those starts and stay linear on broken headers.
    static func parseWord(_ bytes: [UInt8], at start: Int, failedUntil: inout Int)
        -> (charset: String, bytes: [UInt8], end: Int)?
    {
        var index = start + 2
        let charsetStart = index
        while index < bytes.count, bytes[index] != 0x3F {
            if bytes[index] <= 0x20 || bytes[index] >= 0x7F || index - charsetStart > 64 { return nil }
            index += 1
        }
        guard index > charsetStart, index + 2 < bytes.count, bytes[index + 2] == 0x3F else { return nil }
        var charset = String(decoding: bytes[charsetStart..<index], as: UTF8.self).lowercased()
        if let star = charset.firstIndex(of: "*") { charset = String(charset[..<star]) }
        let encoding = bytes[index + 1] | 0x20
        guard encoding == 0x62 || encoding == 0x71 else { return nil }  // b or q
        let textStart = index + 3
        var end = textStart
        while end + 1 < bytes.count, !(bytes[end] == 0x3F && bytes[end + 1] == 0x3D) {
            if bytes[end] == 0x20 || bytes[end] == 0x09 || bytes[end] == 0x0A || bytes[end] == 0x0D {
                failedUntil = end
                return nil
            }
            end += 1
        }
        guard end + 1 < bytes.count else {
            failedUntil = bytes.count
            return nil
        }
        let encoded = bytes[textStart..<end]
        let decoded = encoding == 0x62 ? TransferEncoding.decodeBase64(encoded) : decodeQ(encoded)
        return (charset, decoded, end + 2)
    }

    /// The Q encoding: `_` is a space, `=XX` a byte, anything else itself (a broken `=` kept).
    static func decodeQ(_ encoded: ArraySlice<UInt8>) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(encoded.count)
        var index = encoded.startIndex
        while index < encoded.endIndex {
            let byte = encoded[index]
            if byte == 0x5F {
                output.append(0x20)
            } else if byte == 0x3D, index + 2 < encoded.endIndex,
                let high = TransferEncoding.hexValue(encoded[index + 1]),
                let low = TransferEncoding.hexValue(encoded[index + 2])
            {
                output.append(high << 4 | low)
                index += 3
                continue
            } else {
                output.append(byte)
            }
            index += 1
        }
        return output
    }

    private static func decodeBytes(_ bytes: [UInt8], charset: String, unknown: inout [String]) -> String {
        if let known = MailCharset(label: charset) { return known.decode(bytes) }
        if !unknown.contains(charset) { unknown.append(charset) }
        return MailCharset.latin1.decode(bytes)
    }
}
