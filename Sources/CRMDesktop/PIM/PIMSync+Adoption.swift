import Foundation
import PIMBridge
import PIMFormats

/// Items already in the PIM for records this replica has no item of: a second or reinstalled desktop of the user
/// (the inbound step of its first sync has no package yet, so it adopts nothing), or a card the user shared under
/// a file name and UID of their own. They carry the record's `X-CRM-ID`; the outbound step writes into them
/// instead of creating `<record id>.vcf` next to them.
extension PIMSync {
    /// The items of `collection` the status table does not know that carry the X-CRM-ID of one of `ids`, by id
    /// (the first by href when several do). Costs a listing and reading the unknown items, so only asked when
    /// records need an item.
    func itemsToAdopt(for ids: Set<String>, in collection: PIMCollection, known: Set<String>) async throws
        -> [String: PIMItem]
    {
        guard !ids.isEmpty else { return [:] }
        let listing = try await store.changes(in: collection, since: nil)
        let unknown = listing.changed.keys.filter { !known.contains($0) }.sorted()
        guard !unknown.isEmpty else { return [:] }
        var found: [String: PIMItem] = [:]
        for item in try await store.read(collection, hrefs: unknown) {
            guard let id = crmID(of: item.data, collection: collection), ids.contains(id), found[id] == nil else {
                continue
            }
            found[id] = item
        }
        return found
    }

    private func crmID(of data: Data, collection: PIMCollection) -> String? {
        if collection == .contacts { return (try? VCardReader.read(data: data).first)?.text("X-CRM-ID") }
        return (try? ICalendarReader.read(data: data))?.components.first { $0.name != "VTIMEZONE" }?.text("X-CRM-ID")
    }
}
