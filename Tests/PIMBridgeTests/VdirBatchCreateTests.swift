import CRMTesting
import Foundation
import PIMBridge
import Testing

/// `VdirStore.create`, the batch a first PIM sync writes: every item in place with the etag of its very file,
/// across more than one batch and both writers, a taken name refused for its item alone, and no temporary file
/// left in the folder whatever happened.
@Suite struct VdirBatchCreateTests {
    /// More items than one batch of one writer holds.
    static let count = 1_300

    func withPreparedVdir(_ body: (VdirStore, URL) async throws -> Void) async throws {
        let directory = try TemporaryDirectory(prefix: "crm-vdir-batch")
        defer { directory.remove() }
        let store = VdirStore(root: directory.url.appendingPathComponent("pim"))
        try await store.prepare()
        try await body(store, directory.url.appendingPathComponent("pim/contacts"))
    }

    static func items(_ count: Int) -> [(href: String, data: Data)] {
        (0..<count).map { ("c\($0).vcf", PIMStoreConformance.vcard("c\($0)", name: "Contact \($0)")) }
    }

    static func hiddenFiles(in folder: URL) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasPrefix(".") }
    }

    @Test func everyItemIsInPlaceWithTheEtagOfItsFile() async throws {
        try await withPreparedVdir { store, folder in
            let items = Self.items(Self.count)
            let results = try await store.create(.contacts, items: items)
            #expect(results.count == items.count)
            let listed = try await store.changes(in: .contacts, since: nil).changed
            #expect(listed.count == items.count)
            for (item, result) in zip(items, results) {
                let created = try result.get()
                #expect(created.href == item.href)
                #expect(listed[item.href] == created.etag)
                #expect(try Data(contentsOf: folder.appendingPathComponent(item.href)) == item.data)
            }
            #expect(try Self.hiddenFiles(in: folder).isEmpty)
        }
    }

    @Test func aTakenNameIsRefusedForItsItemAloneAndKeepsItsFile() async throws {
        try await withPreparedVdir { store, folder in
            let theirs = PIMStoreConformance.vcard("c700", name: "Written by another program")
            let existing = try await store.put(.contacts, href: "c700.vcf", data: theirs, ifMatch: nil)
            let items = Self.items(Self.count)
            let results = try await store.create(.contacts, items: items)
            for (index, result) in results.enumerated() {
                switch result {
                case .success: #expect(index != 700)
                case .failure(let error):
                    #expect(index == 700)
                    #expect(error.code == .alreadyExists(href: "c700.vcf"))
                }
            }
            #expect(try Data(contentsOf: folder.appendingPathComponent("c700.vcf")) == theirs)
            #expect(try await store.changes(in: .contacts, since: nil).changed["c700.vcf"] == existing.etag)
            #expect(try Self.hiddenFiles(in: folder).isEmpty)
        }
    }

    @Test func aBadHrefIsRefusedForItsItemAlone() async throws {
        try await withPreparedVdir { store, folder in
            var items = Self.items(3)
            items[1].href = "../escape.vcf"
            let results = try await store.create(.contacts, items: items)
            #expect((try? results[0].get()) != nil && (try? results[2].get()) != nil)
            #expect(throws: PIMStoreError.self) { try results[1].get() }
            #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
                == ["c0.vcf", "c2.vcf", "color", "displayname"])
        }
    }
}
