import AsyncHTTPClient
import Foundation

/// The PIM on a CardDAV (RFC 6352) and CalDAV (RFC 4791) server: the collections `crm-contacts`, `crm-calendar`
/// and `crm-tasks` under the user's address book and calendar homes, found from the URL given and created when
/// missing; changes through sync-collection (RFC 6578) with PROPFIND etags as the fallback; conditional PUT and
/// DELETE.
///
/// The URL may be the server's root (discovery through `/.well-known/` and the user's principal), the principal,
/// a home, or one of the user's collections (its parent is taken as the home). Hrefs are as `PIMItem` says.
public actor DAVStore: PIMStore {
    /// The URL the store was given.
    public nonisolated let url: URL
    let connection: DAVConnection
    /// The collections found or created by `prepare()`.
    var collectionURLs: [PIMCollection: URL] = [:]
    /// Servers without the multiget reports are read item by item.
    var multigetUnsupported = false
    /// The collection URLs came from `adopt(_:)`, not from this store's own discovery: one that is gone makes
    /// the store look again once.
    var isTrustingAdopted = false

    /// - Parameters:
    ///   - user: nil for a server without authentication; otherwise sent with `password` as Basic auth.
    ///   - httpClient: `.shared` retries a refused connection until the timeout; a client configured without
    ///     `retryConnectionEstablishment` reports an unreachable server at once.
    ///   - timeout: how long one request may take, connecting included.
    public init(
        url: URL, user: String?, password: String?, httpClient: HTTPClient = .shared, timeout: Duration = .seconds(60)
    ) {
        self.url = url
        connection = DAVConnection(
            httpClient: httpClient, user: user, password: password, storeName: "dav:\(Self.displayed(url))",
            timeout: .nanoseconds(
                Int64(timeout.components.seconds) * 1_000_000_000
                    + timeout.components.attoseconds / 1_000_000_000))
    }

    nonisolated var storeName: String { connection.storeName }

    /// The URL without user and password, for messages.
    static func displayed(_ url: URL) -> String {
        guard var components = URLComponents(url: url, resolvingAgainstBaseURL: true) else { return url.absoluteString }
        components.user = nil
        components.password = nil
        return components.string ?? url.absoluteString
    }

    public func prepare() async throws {
        if isTrustingAdopted, PIMCollection.allCases.allSatisfy({ collectionURLs[$0] != nil }) { return }
        isTrustingAdopted = false
        let homes = try await discoverHomes()
        for collection in PIMCollection.allCases {
            let home = collection == .contacts ? homes.addressBooks : homes.calendars
            collectionURLs[collection] = try await ensureCollection(collection, in: home)
        }
    }

    /// The URL of a collection on the server (found by `prepare()`, which runs first when it has not).
    public func collectionURL(_ collection: PIMCollection) async throws -> URL {
        if let url = collectionURLs[collection] { return url }
        try await prepare()
        guard let url = collectionURLs[collection] else {
            throw PIMStoreError(
                .badAnswer, store: storeName, collection: collection, detail: "the collection could not be found")
        }
        return url
    }

    public func flush() async throws {}

    public func locations() -> [PIMCollection: String] { collectionURLs.mapValues(\.absoluteString) }

    public func adopt(_ locations: [PIMCollection: String]) {
        let urls = locations.compactMapValues { URL(string: $0) }
        // Only URLs on the server this store was given (a changed target is reset by the caller, but be sure).
        guard PIMCollection.allCases.allSatisfy({ urls[$0] != nil }),
            urls.values.allSatisfy({ $0.host == url.host && $0.port == url.port && $0.scheme == url.scheme })
        else { return }
        collectionURLs = urls
        isTrustingAdopted = true
    }

    /// Runs `body` with the collection's URL; when the URL was adopted and the collection is gone, looks for the
    /// collections again (creating the missing one) and runs `body` once more.
    func withCollection<T>(_ collection: PIMCollection, _ body: (URL) async throws -> T) async throws -> T {
        let adopted = isTrustingAdopted
        do {
            return try await body(try await collectionURL(collection))
        } catch let error as PIMStoreError where adopted {
            guard case .notFound = error.code, collectionURLs[collection] == nil else { throw error }
            isTrustingAdopted = false
            collectionURLs = [:]
            try await prepare()
            return try await body(try await collectionURL(collection))
        }
    }

    public nonisolated func href(forUID uid: String, in collection: PIMCollection) -> String {
        collection.itemName(forUID: uid)
    }
}
