#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import CoreFoundation
import Foundation
#endif

/// Decodes bytes of a charset Foundation lacks on Linux (ISO-2022-JP, Shift_JIS, EUC-KR/CP949, GBK, Big5,
/// KOI8-R, UTF-16...) through the C library's iconv. Each call opens and closes its own converter, so the type
/// holds no state and is safe from any thread. On Apple platforms CoreFoundation's charset table is used
/// instead (that branch is not exercised by the Linux tests).
enum IconvConverter {
    /// True when the C library can decode `charset` (an iconv name such as `CP949`).
    static func supports(_ charset: String) -> Bool {
        #if canImport(Glibc) || canImport(Musl)
        guard let converter = open(charset) else { return false }
        iconv_close(converter)
        return true
        #elseif canImport(Darwin)
        return foundationEncoding(charset) != nil
        #else
        return false
        #endif
    }

    /// `bytes` in `charset` as text; an invalid or truncated sequence becomes U+FFFD. Nil when the charset is
    /// unknown to the C library.
    static func decode(_ bytes: some Collection<UInt8>, from charset: String) -> String? {
        #if canImport(Glibc) || canImport(Musl)
        guard let converter = open(charset) else { return nil }
        defer { iconv_close(converter) }
        var input = Array(bytes)
        var output: [UInt8] = []
        output.reserveCapacity(input.count * 2 + 16)
        var chunk = [UInt8](repeating: 0, count: max(256, min(input.count * 3, 1 << 20)))
        let replacement: [UInt8] = [0xEF, 0xBF, 0xBD]
        input.withUnsafeMutableBufferPointer { inputBuffer in
            chunk.withUnsafeMutableBufferPointer { chunkBuffer in
                var consumed = 0
                while true {
                    let finished = consumed >= inputBuffer.count
                    var inPointer: UnsafeMutablePointer<CChar>? = finished ? nil
                        : UnsafeMutableRawPointer(inputBuffer.baseAddress! + consumed)
                            .assumingMemoryBound(to: CChar.self)
                    var inLeft = inputBuffer.count - consumed
                    var outPointer: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(chunkBuffer.baseAddress!)
                        .assumingMemoryBound(to: CChar.self)
                    var outLeft = chunkBuffer.count
                    let result = iconv(converter, &inPointer, &inLeft, &outPointer, &outLeft)
                    let failure = result == -1 ? errno : 0
                    output.append(contentsOf: chunkBuffer[0..<(chunkBuffer.count - outLeft)])
                    if finished { break }
                    consumed = inputBuffer.count - inLeft
                    if result != -1 { continue }  // all input taken; loop once more to flush the shift state
                    switch failure {
                    case E2BIG: continue
                    case EINVAL:  // a sequence cut off at the end
                        output.append(contentsOf: replacement)
                        consumed = inputBuffer.count
                    default:  // EILSEQ or anything else: skip one byte
                        output.append(contentsOf: replacement)
                        consumed += 1
                    }
                }
            }
        }
        return String(decoding: output, as: UTF8.self)
        #elseif canImport(Darwin)
        guard let encoding = foundationEncoding(charset) else { return nil }
        return String(data: Data(bytes), encoding: encoding) ?? String(decoding: Array(bytes), as: UTF8.self)
        #else
        return nil
        #endif
    }

    #if canImport(Glibc) || canImport(Musl)
    private static func open(_ charset: String) -> iconv_t? {
        let converter = iconv_open("UTF-8", charset)
        guard let converter, Int(bitPattern: converter) != -1 else { return nil }
        return converter
    }
    #elseif canImport(Darwin)
    private static func foundationEncoding(_ charset: String) -> String.Encoding? {
        let name = charset == "EUC-JP-MS" ? "EUC-JP" : charset
        let encoding = CFStringConvertIANACharSetNameToEncoding(name as CFString)
        guard encoding != kCFStringEncodingInvalidId else { return nil }
        return String.Encoding(rawValue: CFStringConvertEncodingToNSStringEncoding(encoding))
    }
    #endif
}
