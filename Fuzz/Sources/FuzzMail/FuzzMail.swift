import Foundation
import PIMFormats

/// libFuzzer entry: reads the bytes as an RFC 5322 / MIME message (headers, encoded words, multipart bodies,
/// transfer encodings, charsets, HTML to text) as the mail sharing of the desktop does. A 1 MB size limit and the
/// default depth limit keep the run fast; both are part of what is checked. Errors are the expected answer to
/// garbage; a trap, a memory error or a slow input is a finding.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzMail(_ start: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let data = Data(bytes: start, count: count)
    guard let message = try? MailReader(maxBytes: 1024 * 1024).read(data) else { return 0 }
    _ = message.headerValues("Subject")
    return 0
}
