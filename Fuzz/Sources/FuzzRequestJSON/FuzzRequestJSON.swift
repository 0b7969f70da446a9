import CRMModel
import CRMSyncProtocol
import Foundation

/// The default package, which the field values of decoded writes are checked against.
private let package = try! DefaultPackage.load()  // The bundled package; the harness is useless without it.

/// libFuzzer entry: decodes the bytes, with the server's coders (`CRMJSON`), as each body the HTTP routes decode:
/// sync begin, pull, push, end and wait, record create/update (`RecordWrite`), conflict resolution, login and
/// device registration. Field values of a decoded write or push are then checked against the default package as the
/// server does (`RecordValidator`), written as the stores keep them (`FieldJSON`) and read back with `JSONReader`
/// (which must read what was written), and decoded bodies are encoded again (the server echoes values in answers).
/// The bytes are also read with `JSONReader` itself, the hand-written reader of stored fields and pulled pages.
/// Decoding errors are the expected answer to garbage; a trap, a memory error or a slow input is a finding.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRequestJSON(_ start: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let data = Data(bytes: start, count: count)
    let decoder = CRMJSON.decoder()
    let encoder = CRMJSON.encoder()
    let validator = RecordValidator(base: package, view: package)
    func check(type: String, fields: [String: FieldValue]) {
        _ = validator.check(typeName: type, changes: fields, merged: fields)
        let stored = FieldJSON.text(fields)
        if (try? JSONReader.fields(stored)) == nil {
            fatalError("JSONReader cannot read what FieldJSON wrote: \(stored)")
        }
    }
    _ = try? JSONReader.reading(Array(data)) { reader in
        let value = try reader.readValue()
        try reader.expectEnd()
        return value
    }
    if let body = try? decoder.decode(SyncBeginRequest.self, from: data) { _ = try? encoder.encode(body) }
    if let body = try? decoder.decode(SyncPullRequest.self, from: data) { _ = try? encoder.encode(body) }
    if let body = try? decoder.decode(SyncEndRequest.self, from: data) { _ = try? encoder.encode(body) }
    if let body = try? decoder.decode(SyncWaitRequest.self, from: data) { _ = try? encoder.encode(body) }
    if let body = try? decoder.decode(SyncPushRequest.self, from: data) {
        for op in body.ops { check(type: op.type, fields: op.fields ?? [:]) }
        _ = try? encoder.encode(body)
    }
    if let body = try? decoder.decode(RecordWrite.self, from: data) {
        for type in package.types.keys { check(type: type, fields: body.fields) }
        _ = try? encoder.encode(body)
    }
    if let body = try? decoder.decode(ConflictResolution.self, from: data) { _ = try? encoder.encode(body) }
    if let body = try? decoder.decode(LoginRequest.self, from: data) { _ = try? encoder.encode(body) }
    if let body = try? decoder.decode(DeviceRegistration.self, from: data) { _ = try? encoder.encode(body) }
    return 0
}
