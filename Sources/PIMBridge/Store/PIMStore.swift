import Foundation

/// The three collections the CRM writes into a PIM: contacts (vCard), calendar (VEVENT) and tasks (VTODO).
public enum PIMCollection: String, Sendable, CaseIterable, Codable {
    case contacts, calendar, tasks

    /// The file extension of its items in a vdir folder.
    public var fileExtension: String { self == .contacts ? "vcf" : "ics" }

    /// The name people see for it in their PIM ("CRM contacts").
    public var displayName: String { "CRM \(rawValue)" }

    /// What one item of it is, for messages ("contact", "event", "task").
    var itemNoun: String {
        switch self {
        case .contacts: "contact"
        case .calendar: "event"
        case .tasks: "task"
        }
    }
}

/// An item as a store holds it: where (href: a file name in a vdir collection, a path on a DAV server), its
/// version (etag), and its bytes.
///
/// A DAV item inside the collection has the percent-decoded last segment of its path as href (`a1.vcf`), like a
/// vdir file; one elsewhere on the server keeps its whole decoded path (`/other/a1.vcf`).
public struct PIMItem: Sendable, Equatable {
    public var href: String
    public var etag: String
    public var data: Data

    public init(href: String, etag: String, data: Data) {
        self.href = href
        self.etag = etag
        self.data = data
    }
}

/// What changed in a collection since a sync token (DAV sync-collection), or the whole listing (token nil, or a
/// store without tokens such as a vdir folder, or a token the server no longer accepts).
public struct PIMChanges: Sendable, Equatable {
    /// href -> etag of the items created or changed (all items when `isFullListing`).
    public var changed: [String: String]
    /// hrefs of the items deleted since the token (always empty in a full listing).
    public var deleted: [String]
    /// The token to pass to the next call; nil when the store has none.
    public var token: String?
    /// `changed` holds every item; items not listed are gone.
    public var isFullListing: Bool

    public init(changed: [String: String], deleted: [String], token: String?, isFullListing: Bool) {
        self.changed = changed
        self.deleted = deleted
        self.token = token
        self.isFullListing = isFullListing
    }
}

/// Where the CRM's contacts, events and tasks live in the user's PIM: a vdir folder (`VdirStore`) or a
/// CardDAV/CalDAV server (`DAVStore`). Both move bytes only; the codecs and the mapping live elsewhere.
public protocol PIMStore: Sendable {
    /// Finds or creates the three collections (vdir: folders `contacts/`, `calendar/`, `tasks/` with `displayname`
    /// and `color` files; DAV: discovery + MKCOL/MKCALENDAR when missing).
    func prepare() async throws

    /// What changed in `collection` since `token` (nil: the whole listing).
    func changes(in collection: PIMCollection, since token: String?) async throws -> PIMChanges

    /// The items at `hrefs`; the missing ones are left out.
    func read(_ collection: PIMCollection, hrefs: [String]) async throws -> [PIMItem]

    /// Creates (`ifMatch` nil: fails with `.alreadyExists` when the href exists, DAV If-None-Match: *) or replaces
    /// (`ifMatch` the etag last seen: fails with `.changed` when the item changed meanwhile, DAV 412). Returns
    /// the new etag (and href).
    func put(_ collection: PIMCollection, href: String, data: Data, ifMatch: String?) async throws -> PIMItem

    /// Creates several items (each as `put` with `ifMatch` nil), made durable together (vdir: one sync of the
    /// file system for the batch, not one per file); a result per item, in order.
    func create(_ collection: PIMCollection, items: [(href: String, data: Data)]) async throws
        -> [Result<PIMItem, PIMStoreError>]

    /// Deletes the item (`ifMatch` the etag last seen: fails with `.changed` when it changed meanwhile; nil:
    /// whatever it holds). Fails with `.notFound` when it is already gone.
    func delete(_ collection: PIMCollection, href: String, ifMatch: String?) async throws

    /// Makes written items durable (vdir: fsync the folders once per batch, not per file; DAV: nothing).
    func flush() async throws

    /// A file name / href for a new item from its UID: safe characters only (others percent- or hash-encoded,
    /// stable for the same UID), with the collection's extension.
    func href(forUID uid: String, in collection: PIMCollection) -> String

    /// Where `prepare()` found the collections (DAV: their URLs), kept by the caller for the next store of the
    /// same target, so that a sync with nothing to do asks the server for nothing but the changes.
    func locations() async -> [PIMCollection: String]

    /// Takes the locations an earlier store of the same target found: `prepare()` then trusts them instead of
    /// looking again, and the store looks again (and creates what is missing) when one of them is gone.
    func adopt(_ locations: [PIMCollection: String]) async
}

extension PIMStore {
    /// One `put` after another.
    public func create(_ collection: PIMCollection, items: [(href: String, data: Data)]) async throws
        -> [Result<PIMItem, PIMStoreError>]
    {
        var results: [Result<PIMItem, PIMStoreError>] = []
        for item in items {
            do {
                results.append(.success(try await put(collection, href: item.href, data: item.data, ifMatch: nil)))
            } catch let error as PIMStoreError {
                results.append(.failure(error))
            }
        }
        return results
    }

    /// A store whose collections are where it says (a vdir folder) has nothing to keep.
    public func locations() async -> [PIMCollection: String] { [:] }

    public func adopt(_ locations: [PIMCollection: String]) async {}
}
