import CRMTesting
import Foundation
import PIMBridge
import Testing

@Suite struct VdirStoreTests {
    /// Runs `body` on a vdir store in a fresh temporary folder; another client writes files directly.
    func withVdir(_ body: (StoreUnderTest, URL) async throws -> Void) async throws {
        let directory = try TemporaryDirectory(prefix: "crm-vdir")
        defer { directory.remove() }
        let root = directory.url.appendingPathComponent("pim")
        let subject = StoreUnderTest(
            store: VdirStore(root: root),
            writeAsAnotherClient: { collection, name, data in
                // As khard or vdirsyncer would: the file replaced, a new inode and mtime.
                let path = root.appendingPathComponent(collection.rawValue).appendingPathComponent(name)
                try data.write(to: path, options: .atomic)
            },
            hasSyncTokens: false, keepsBytes: true)
        try await body(subject, root)
    }

    // MARK: - The shared conformance

    @Test func prepareCreatesEmptyCollections() async throws {
        try await withVdir { subject, _ in try await PIMStoreConformance.prepareCreatesEmptyCollections(subject) }
    }

    @Test func putReadAndChangesRoundTrip() async throws {
        try await withVdir { subject, _ in try await PIMStoreConformance.putReadAndChangesRoundTrip(subject) }
    }

    @Test func putWithStaleEtagFailsChanged() async throws {
        try await withVdir { subject, _ in try await PIMStoreConformance.putWithStaleEtagFailsChanged(subject) }
    }

    @Test func createOverExistingHrefFailsAlreadyExists() async throws {
        try await withVdir { subject, _ in
            try await PIMStoreConformance.createOverExistingHrefFailsAlreadyExists(subject)
        }
    }

    @Test func batchCreateMakesEveryItemAndRefusesATakenHrefAlone() async throws {
        try await withVdir { subject, _ in
            try await PIMStoreConformance.batchCreateMakesEveryItemAndRefusesATakenHrefAlone(subject)
        }
    }

    @Test func deleteRemovesTheItemOnlyAtItsEtag() async throws {
        try await withVdir { subject, _ in try await PIMStoreConformance.deleteRemovesTheItemOnlyAtItsEtag(subject) }
    }

    @Test func changesAreAlwaysTheFullListing() async throws {
        try await withVdir { subject, _ in try await PIMStoreConformance.changesSinceTokenListOnlyWhatChanged(subject) }
    }

    @Test func editByAnotherProgramBetweenChangesIsSeen() async throws {
        try await withVdir { subject, _ in
            try await PIMStoreConformance.editByAnotherClientBetweenChangesIsSeen(subject)
        }
    }

    @Test func hrefsForOddUIDsAreSafeAndStable() async throws {
        try await withVdir { subject, _ in try await PIMStoreConformance.hrefsForOddUIDsAreSafeAndStable(subject) }
    }

    // MARK: - The folder layout

    @Test func prepareWritesVdirsyncerLayoutWithDisplaynameAndColor() async throws {
        try await withVdir { subject, root in
            try await subject.store.prepare()
            for collection in PIMCollection.allCases {
                let folder = root.appendingPathComponent(collection.rawValue)
                let displayname = try String(contentsOf: folder.appendingPathComponent("displayname"), encoding: .utf8)
                let color = try String(contentsOf: folder.appendingPathComponent("color"), encoding: .utf8)
                #expect(displayname == "CRM \(collection.rawValue)")
                #expect(color.hasPrefix("#") && color.count == 7)
            }
            // A color the user chose is kept.
            let color = root.appendingPathComponent("calendar/color")
            try Data("#FF0000".utf8).write(to: color)
            try await subject.store.prepare()
            #expect(try String(contentsOf: color, encoding: .utf8) == "#FF0000")
        }
    }

    @Test func itemsAreOneFilePerItemNamedFromTheUID() async throws {
        try await withVdir { subject, root in
            let store = subject.store
            try await store.prepare()
            let data = PIMStoreConformance.vcard("ann@example.com", name: "Ann")
            let href = store.href(forUID: "ann@example.com", in: .contacts)
            _ = try await store.put(.contacts, href: href, data: data, ifMatch: nil)
            try await store.flush()
            let folder = root.appendingPathComponent("contacts")
            let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
            // No temporary file left behind.
            #expect(names == ["ann@example.com.vcf", "color", "displayname"])
            #expect(try Data(contentsOf: folder.appendingPathComponent("ann@example.com.vcf")) == data)
        }
    }

    @Test func hiddenTemporaryAndForeignFilesAreNotItems() async throws {
        try await withVdir { subject, root in
            let store = subject.store
            try await store.prepare()
            let folder = root.appendingPathComponent("calendar")
            let event = PIMStoreConformance.event("e1", summary: "Visible")
            try event.write(to: folder.appendingPathComponent("e1.ics"))
            try event.write(to: folder.appendingPathComponent(".e2.ics"))
            try event.write(to: folder.appendingPathComponent("e3.ics.tmp"))
            try event.write(to: folder.appendingPathComponent("notes.txt"))
            try event.write(to: folder.appendingPathComponent("card.vcf"))
            try FileManager.default.createDirectory(
                at: folder.appendingPathComponent("sub.ics"), withIntermediateDirectories: true)
            let changes = try await store.changes(in: .calendar, since: nil)
            #expect(Array(changes.changed.keys) == ["e1.ics"])
            #expect(try await store.read(.calendar, hrefs: ["sub.ics"]).isEmpty)
        }
    }

    @Test func etagIsModificationTimeInNanosecondsAndInode() async throws {
        try await withVdir { subject, root in
            let store = subject.store
            try await store.prepare()
            let item = try await store.put(
                .tasks, href: "t.ics", data: PIMStoreConformance.task("t", summary: "T"), ifMatch: nil)
            let attributes = try FileManager.default.attributesOfItem(
                atPath: root.appendingPathComponent("tasks/t.ics").path)
            let inode = try #require(attributes[.systemFileNumber] as? NSNumber)
            let parts = item.etag.split(separator: ";")
            #expect(parts.count == 2)
            #expect(parts.last.map(String.init) == inode.stringValue)
            #expect(parts.first?.hasSuffix(".000000000") == true)
            // Rewriting the same bytes still gives a new etag (a new file).
            let again = try await store.put(
                .tasks, href: "t.ics", data: PIMStoreConformance.task("t", summary: "T"), ifMatch: item.etag)
            #expect(again.etag != item.etag)
        }
    }

    @Test func hrefsThatLeaveTheFolderAreRefused() async throws {
        try await withVdir { subject, _ in
            let store = subject.store
            try await store.prepare()
            for href in ["../x.vcf", "a/b.vcf", ".x.vcf", "x.ics", "displayname"] {
                let code = await PIMStoreConformance.errorCode {
                    _ = try await store.put(.contacts, href: href, data: Data("x".utf8), ifMatch: nil)
                }
                #expect(code == .invalidHref(href))
            }
        }
    }

    @Test func missingFolderGivesAnErrorNamingIt() async throws {
        try await withVdir { subject, root in
            let code = await PIMStoreConformance.errorCode {
                _ = try await subject.store.changes(in: .contacts, since: nil)
            }
            #expect(code == .fileSystem(errno: ENOENT))
            do {
                _ = try await subject.store.changes(in: .contacts, since: nil)
            } catch let error as PIMStoreError {
                #expect(error.description.contains(root.appendingPathComponent("contacts").path))
                #expect(error.description.contains("vdir:"))
            }
        }
    }
}
