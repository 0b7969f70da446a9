import CRMTesting
import Foundation
import PIMBridge
import Testing

/// UIDs that come from vCards and iCalendar files anyone may write (issue 9): whatever a UID holds (path
/// separators, `..`, NUL, control characters, thousands of bytes, names Windows reserves for devices), the file
/// it becomes is a plain file directly inside its collection's folder, with a name every file system accepts.
@Suite struct VdirHostileUIDTests {
    static let hostile = [
        "../../etc/x", "a/b", "/etc/passwd", "..", ".", "...", "a\\..\\..\\b", "C:\\Windows\\x", "a\u{0}b", "\u{0}",
        "x\ny\r\tz", String(repeating: "é", count: 2_000), String(repeating: "a", count: 5_000), "CON", "nul", "Com1",
        "LPT9.txt", "aux.vcf", "PRN.", "con.d", "x:y", "x*y?z", "<x>|\"y\"", " leading space", "trailing dot.",
        "%2e%2e%2fx", "\u{202E}fdp.exe", "\u{FEFF}bom",
    ]

    /// Names Windows gives to devices: with any extension they do not name a file there.
    static let reserved: Set<String> =
        Set(["CON", "PRN", "AUX", "NUL"] + (1...9).flatMap { ["COM\($0)", "LPT\($0)"] })

    @Test func everyHostileUIDBecomesAPlainFileInsideTheCollectionFolder() async throws {
        let directory = try TemporaryDirectory(prefix: "crm-vdir-hostile")
        defer { directory.remove() }
        let root = directory.url.appendingPathComponent("pim")
        let store = VdirStore(root: root)
        try await store.prepare()
        var hrefs: Set<String> = []
        for uid in Self.hostile {
            for collection in [PIMCollection.contacts, .calendar] {
                let href = store.href(forUID: uid, in: collection)
                #expect(!href.contains("/") && !href.contains("\\") && !href.hasPrefix("."), "\(href)")
                #expect(href.utf8.count <= 120, "\(href.utf8.count) bytes")
                #expect(href.unicodeScalars.allSatisfy { $0.isASCII && $0.value > 32 && !":*?\"<>|".unicodeScalars.contains($0) })
                let stem = href.split(separator: ".", maxSplits: 1).first.map(String.init)?.uppercased() ?? ""
                #expect(!Self.reserved.contains(stem), "\(href) is a name Windows reserves")
                let data =
                    collection == .contacts
                    ? PIMStoreConformance.vcard(uid, name: "Hostile") : PIMStoreConformance.event(uid, summary: "Hostile")
                _ = try await store.put(collection, href: href, data: data, ifMatch: nil)
                if collection == .contacts { hrefs.insert(href) }
            }
        }
        #expect(hrefs.count == Self.hostile.count, "two hostile UIDs share a file")
        // Every file is directly inside a collection folder: nothing above the root, nothing in a subfolder.
        let everything = FileManager.default.enumerator(atPath: directory.url.path)?.allObjects as? [String] ?? []
        for path in everything {
            let parts = path.split(separator: "/").map(String.init)
            var isFolder: ObjCBool = false
            FileManager.default.fileExists(atPath: directory.path(path), isDirectory: &isFolder)
            if isFolder.boolValue {
                #expect(parts.count <= 2 && parts.first == "pim", "a folder \(path) appeared")
            } else {
                #expect(parts.count == 3 && parts.first == "pim", "a file \(path) lies outside a collection folder")
            }
        }
        let listed = try await store.changes(in: .contacts, since: nil)
        #expect(Set(listed.changed.keys) == hrefs)
    }
}
