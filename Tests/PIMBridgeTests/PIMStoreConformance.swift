import Foundation
import PIMBridge
import Testing

/// A store under test and the means to act on it as another program would (khard writing a file, a phone
/// PUTting to the server).
struct StoreUnderTest: Sendable {
    var store: any PIMStore
    /// Creates or replaces an item without going through the store.
    var writeAsAnotherClient: @Sendable (PIMCollection, String, Data) async throws -> Void
    /// Whether `changes` gives tokens and lists only what changed since one (DAV), or always everything (vdir).
    var hasSyncTokens: Bool
    /// Whether an item reads back byte for byte as written (a folder), or only with the same content lines (a
    /// server such as Radicale re-serializes iCalendar: property order, line folding).
    var keepsBytes: Bool

    /// Whether an item read back holds what was written.
    func same(_ read: Data, _ written: Data) -> Bool {
        keepsBytes
            ? read == written : PIMStoreConformance.contentLines(read) == PIMStoreConformance.contentLines(written)
    }

    /// Whether items read back are the ones written (href, etag, content).
    func same(_ read: [PIMItem], _ written: [PIMItem]) -> Bool {
        read.count == written.count
            && zip(read, written).allSatisfy { $0.href == $1.href && $0.etag == $1.etag && same($0.data, $1.data) }
    }
}

/// The behaviour both `VdirStore` and `DAVStore` must have. Each check starts from a store whose collections are
/// not prepared yet.
enum PIMStoreConformance {
    static func vcard(_ uid: String, name: String) -> Data {
        Data("BEGIN:VCARD\r\nVERSION:4.0\r\nUID:\(uid)\r\nFN:\(name)\r\nN:\(name);;;;\r\nEND:VCARD\r\n".utf8)
    }

    static func event(_ uid: String, summary: String) -> Data {
        Data(
            """
            BEGIN:VCALENDAR\r
            VERSION:2.0\r
            PRODID:-//CRM Desktop//Tests//EN\r
            BEGIN:VEVENT\r
            UID:\(uid)\r
            DTSTAMP:20260301T090000Z\r
            DTSTART:20260302T090000Z\r
            DTEND:20260302T100000Z\r
            SUMMARY:\(summary)\r
            END:VEVENT\r
            END:VCALENDAR\r

            """.utf8)
    }

    static func task(_ uid: String, summary: String) -> Data {
        Data(
            """
            BEGIN:VCALENDAR\r
            VERSION:2.0\r
            PRODID:-//CRM Desktop//Tests//EN\r
            BEGIN:VTODO\r
            UID:\(uid)\r
            DTSTAMP:20260301T090000Z\r
            DUE:20260305T170000Z\r
            SUMMARY:\(summary)\r
            STATUS:NEEDS-ACTION\r
            END:VTODO\r
            END:VCALENDAR\r

            """.utf8)
    }

    /// The unfolded content lines of a vCard or iCalendar object, sorted.
    static func contentLines(_ data: Data) -> [String] {
        String(decoding: data, as: UTF8.self).replacingOccurrences(of: "\r\n", with: "\n")
            .replacingOccurrences(of: "\n ", with: "").replacingOccurrences(of: "\n\t", with: "")
            .split(separator: "\n").map(String.init).sorted()
    }

    static func errorCode(_ body: () async throws -> Void) async -> PIMStoreError.Code? {
        do {
            try await body()
            return nil
        } catch let error as PIMStoreError {
            return error.code
        } catch {
            Issue.record("not a PIMStoreError: \(error)")
            return nil
        }
    }

    static func prepareCreatesEmptyCollections(_ subject: StoreUnderTest) async throws {
        try await subject.store.prepare()
        try await subject.store.prepare()  // a second run finds them
        for collection in PIMCollection.allCases {
            let changes = try await subject.store.changes(in: collection, since: nil)
            #expect(changes.changed.isEmpty)
            #expect(changes.isFullListing)
        }
    }

    static func putReadAndChangesRoundTrip(_ subject: StoreUnderTest) async throws {
        let store = subject.store
        try await store.prepare()
        let samples: [(PIMCollection, String, Data)] = [
            (.contacts, "ann-1", vcard("ann-1", name: "Ann Lee")),
            (.calendar, "meet-1", event("meet-1", summary: "Kick-off")),
            (.tasks, "todo-1", task("todo-1", summary: "Send offer")),
        ]
        for (collection, uid, data) in samples {
            let href = store.href(forUID: uid, in: collection)
            let written = try await store.put(collection, href: href, data: data, ifMatch: nil)
            #expect(written.href == href)
            #expect(!written.etag.isEmpty)

            let read = try await store.read(collection, hrefs: [href, store.href(forUID: "missing", in: collection)])
            #expect(subject.same(read, [PIMItem(href: href, etag: written.etag, data: data)]))

            let changes = try await store.changes(in: collection, since: nil)
            #expect(changes.changed == [href: written.etag])
            #expect(changes.isFullListing)

            let edited = Data(
                String(decoding: data, as: UTF8.self).replacingOccurrences(of: "UID:", with: "X-A:1\r\nUID:").utf8)
            let replaced = try await store.put(collection, href: href, data: edited, ifMatch: written.etag)
            #expect(replaced.etag != written.etag)
            let readAgain = try await store.read(collection, hrefs: [href])
            #expect(subject.same(readAgain, [replaced]))
            #expect(subject.same(readAgain.first?.data ?? Data(), edited))
        }
        try await store.flush()
    }

    static func putWithStaleEtagFailsChanged(_ subject: StoreUnderTest) async throws {
        let store = subject.store
        try await store.prepare()
        let href = store.href(forUID: "ann-2", in: .contacts)
        let first = try await store.put(.contacts, href: href, data: vcard("ann-2", name: "Ann"), ifMatch: nil)
        let second = try await store.put(.contacts, href: href, data: vcard("ann-2", name: "Anne"), ifMatch: first.etag)
        let code = await errorCode {
            _ = try await store.put(.contacts, href: href, data: vcard("ann-2", name: "Annie"), ifMatch: first.etag)
        }
        #expect(code == .changed(href: href))
        #expect(subject.same(try await store.read(.contacts, hrefs: [href]), [second]))
    }

    static func createOverExistingHrefFailsAlreadyExists(_ subject: StoreUnderTest) async throws {
        let store = subject.store
        try await store.prepare()
        let href = store.href(forUID: "meet-2", in: .calendar)
        let first = try await store.put(.calendar, href: href, data: event("meet-2", summary: "One"), ifMatch: nil)
        let code = await errorCode {
            _ = try await store.put(.calendar, href: href, data: event("meet-2", summary: "Two"), ifMatch: nil)
        }
        #expect(code == .alreadyExists(href: href))
        #expect(subject.same(try await store.read(.calendar, hrefs: [href]), [first]))
    }

    /// A batch of new items (several uploads in flight on a DAV server): each is there as written, with the etag
    /// the store lists for it, and an href already taken is refused for its item alone.
    static func batchCreateMakesEveryItemAndRefusesATakenHrefAlone(_ subject: StoreUnderTest) async throws {
        let store = subject.store
        try await store.prepare()
        let items = (0..<12).map { (href: store.href(forUID: "batch-\($0)", in: .contacts), data: vcard("batch-\($0)", name: "Batch \($0)")) }
        let taken = try await store.put(.contacts, href: items[5].href, data: items[5].data, ifMatch: nil)
        let results = try await store.create(.contacts, items: items)
        #expect(results.count == items.count)
        let listed = try await store.changes(in: .contacts, since: nil).changed
        for (index, result) in results.enumerated() {
            if index == 5 {
                #expect(throws: PIMStoreError.self) { try result.get() }
                #expect(listed[items[index].href] == taken.etag)
                continue
            }
            let created = try result.get()
            #expect(created.href == items[index].href)
            #expect(listed[created.href] == created.etag)
            let read = try await store.read(.contacts, hrefs: [created.href])
            #expect(read.count == 1 && subject.same(read[0].data, items[index].data))
        }
    }

    static func deleteRemovesTheItemOnlyAtItsEtag(_ subject: StoreUnderTest) async throws {
        let store = subject.store
        try await store.prepare()
        let href = store.href(forUID: "todo-2", in: .tasks)
        let first = try await store.put(.tasks, href: href, data: task("todo-2", summary: "Call"), ifMatch: nil)
        let second = try await store.put(
            .tasks, href: href, data: task("todo-2", summary: "Call back"), ifMatch: first.etag)

        let stale = await errorCode { try await store.delete(.tasks, href: href, ifMatch: first.etag) }
        #expect(stale == .changed(href: href))
        try await store.delete(.tasks, href: href, ifMatch: second.etag)
        #expect(try await store.read(.tasks, hrefs: [href]).isEmpty)
        #expect(try await store.changes(in: .tasks, since: nil).changed.isEmpty)
        let again = await errorCode { try await store.delete(.tasks, href: href, ifMatch: nil) }
        #expect(again == .notFound(href: href))
    }

    static func changesSinceTokenListOnlyWhatChanged(_ subject: StoreUnderTest) async throws {
        let store = subject.store
        try await store.prepare()
        var written: [String: PIMItem] = [:]
        for uid in ["c-1", "c-2", "c-3"] {
            let href = store.href(forUID: uid, in: .contacts)
            written[uid] = try await store.put(.contacts, href: href, data: vcard(uid, name: uid), ifMatch: nil)
        }
        let first = try await store.changes(in: .contacts, since: nil)
        #expect(Set(first.changed.keys) == Set(written.values.map(\.href)))

        let edited = try await store.put(
            .contacts, href: written["c-1"]!.href, data: vcard("c-1", name: "Carla"), ifMatch: written["c-1"]!.etag)
        try await store.delete(.contacts, href: written["c-2"]!.href, ifMatch: written["c-2"]!.etag)

        let second = try await store.changes(in: .contacts, since: first.token)
        if subject.hasSyncTokens {
            #expect(first.token != nil)
            #expect(!second.isFullListing)
            #expect(second.changed == [edited.href: edited.etag])
            #expect(second.deleted == [written["c-2"]!.href])
            #expect(second.token != nil && second.token != first.token)
            let third = try await store.changes(in: .contacts, since: second.token)
            #expect(third.changed.isEmpty && third.deleted.isEmpty)
        } else {
            #expect(second.isFullListing)
            #expect(second.changed == [edited.href: edited.etag, written["c-3"]!.href: written["c-3"]!.etag])
            #expect(second.deleted.isEmpty)
        }
    }

    static func editByAnotherClientBetweenChangesIsSeen(_ subject: StoreUnderTest) async throws {
        let store = subject.store
        try await store.prepare()
        let href = store.href(forUID: "meet-3", in: .calendar)
        let ours = try await store.put(.calendar, href: href, data: event("meet-3", summary: "Demo"), ifMatch: nil)
        let before = try await store.changes(in: .calendar, since: nil)

        let theirs = event("meet-3", summary: "Demo (moved by phone)")
        try await subject.writeAsAnotherClient(.calendar, href, theirs)
        let created = event("phone-1", summary: "Lunch")
        try await subject.writeAsAnotherClient(.calendar, "phone-1.ics", created)

        let after = try await store.changes(in: .calendar, since: before.token)
        let newEtag = try #require(after.changed[href])
        #expect(newEtag != ours.etag)
        #expect(after.changed["phone-1.ics"] != nil)
        let read = try await store.read(.calendar, hrefs: [href, "phone-1.ics"])
        #expect(read.count == 2 && subject.same(read[0].data, theirs) && subject.same(read[1].data, created))
        #expect(read.first?.etag == newEtag)

        // Writing over their edit with the old etag is refused.
        let code = await errorCode {
            _ = try await store.put(.calendar, href: href, data: event("meet-3", summary: "Demo"), ifMatch: ours.etag)
        }
        #expect(code == .changed(href: href))
    }

    static func hrefsForOddUIDsAreSafeAndStable(_ subject: StoreUnderTest) async throws {
        let store = subject.store
        try await store.prepare()
        let uids = [
            "a/b@c d", "Zoë-Ärger-日本", "../../etc/passwd", ".hidden", "", String(repeating: "x", count: 300),
        ]
        var hrefs: Set<String> = []
        for uid in uids {
            let href = store.href(forUID: uid, in: .contacts)
            #expect(href == store.href(forUID: uid, in: .contacts))
            #expect(href.hasSuffix(".vcf"))
            #expect(!href.hasPrefix("."))
            #expect(href.utf8.count <= 120)
            #expect(
                href.unicodeScalars.allSatisfy {
                    $0.isASCII && ($0.properties.isAlphabetic || "0123456789-_.@".unicodeScalars.contains($0))
                })
            hrefs.insert(href)
            let written = try await store.put(
                .contacts, href: href, data: vcard(uid.isEmpty ? "empty" : uid, name: "Odd"), ifMatch: nil)
            #expect(subject.same(try await store.read(.contacts, hrefs: [href]), [written]))
        }
        #expect(hrefs.count == uids.count)
        #expect(store.href(forUID: "plain-uid.1@example.com", in: .calendar) == "plain-uid.1@example.com.ics")
        let listed = try await store.changes(in: .contacts, since: nil)
        #expect(Set(listed.changed.keys) == hrefs)
    }
}
