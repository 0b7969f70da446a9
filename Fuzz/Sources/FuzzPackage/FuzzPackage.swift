import CRMModel
import Foundation

/// libFuzzer entry: loads the bytes as a customization package, as `crm-server package publish` and the desktop's
/// installer do: as YAML (through Yams, then the checker), and also as the JSON wire form when they start with `{`.
/// A package that loads is resolved for each of its roles (what the server sends each user) and its JSON form loaded
/// again. Errors are the expected answer to garbage; a trap, a memory error or a slow input is a finding.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPackage(_ start: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let data = Data(bytes: start, count: count)
    var loaded: [CustomizationPackage] = []
    if let text = String(data: data, encoding: .utf8), let package = try? PackageLoader.load(yaml: text, file: "f") {
        loaded.append(package)
    }
    if data.first == UInt8(ascii: "{"), let package = try? PackageLoader.load(json: data) {
        loaded.append(package)
    }
    for package in loaded {
        for role in (package.roles ?? [:]).keys { _ = package.resolved(for: role) }
        _ = try? PackageLoader.load(json: PackageLoader.json(package))
    }
    return 0
}
