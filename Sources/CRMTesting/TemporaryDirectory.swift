import Foundation

/// A fresh folder under the system's temporary folder, for one test's files.
public struct TemporaryDirectory: Sendable {
    public let url: URL

    public init(prefix: String = "crm-test") throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    public func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    public func remove() {
        try? FileManager.default.removeItem(at: url)
    }
}
