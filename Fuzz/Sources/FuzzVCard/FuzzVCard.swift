import Foundation
import PIMFormats

/// libFuzzer entry: reads the bytes as a vCard file the way the vdir and CardDAV stores do, then writes back what
/// was read (the desktop rewrites cards it adopts). Errors are the expected answer to garbage; a trap, a memory
/// error or a slow input is a finding.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzVCard(_ start: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let data = Data(bytes: start, count: count)
    guard let cards = try? VCardReader.read(data: data) else { return 0 }
    for card in cards {
        _ = card.uid
        _ = card.structured("N")
        _ = card.structured("ADR")
    }
    _ = VCardWriter.write(cards)
    return 0
}
