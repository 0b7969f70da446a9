import Foundation

/// One answer to a sync-collection report, read against the collection it was asked of.
struct DAVSyncPage: Sendable, Equatable {
    /// href -> etag of the items listed as present.
    var changed: [String: String] = [:]
    /// hrefs of the items listed as gone (404).
    var deleted: [String] = []
    var token: String?
    /// The server cut the listing short (a 507 response for the collection): ask again with `token`.
    var isTruncated = false

    /// Reads a sync-collection multistatus from `base` about `collection`; nil when it is not a multistatus.
    init?(parsing body: Data, answeredBy base: URL, collection: URL) {
        guard let multistatus = DAVMultistatus(parsing: body) else { return nil }
        token = multistatus.syncToken
        for response in multistatus.responses {
            if DAVPath.names(response.href, answeredBy: base, collection) {
                if response.status == 507 { isTruncated = true }
                continue
            }
            let href = DAVPath.itemHref(response.href, answeredBy: base, collection: collection)
            if response.status == 404 {
                deleted.append(href)
            } else if response.status == 507 {
                isTruncated = true
            } else if let etag = response.etag, !response.isCollection {
                changed[href] = etag
            }
        }
    }
}

extension DAVStore {
    public func changes(in collection: PIMCollection, since token: String?) async throws -> PIMChanges {
        try await withCollection(collection) { url in try await changes(in: collection, at: url, since: token) }
    }

    private func changes(in collection: PIMCollection, at url: URL, since token: String?) async throws -> PIMChanges {
        if let token {
            switch try await syncCollection(collection, at: url, since: token) {
            case .changes(let changes): return changes
            case .tokenRefused, .unsupported: break
            }
        }
        switch try await syncCollection(collection, at: url, since: nil) {
        case .changes(let changes): return changes
        case .tokenRefused, .unsupported: return try await listEtags(collection, at: url)
        }
    }

    enum SyncOutcome {
        case changes(PIMChanges)
        /// The server no longer accepts the token (403/409 with the valid-sync-token precondition).
        case tokenRefused
        /// The server has no sync-collection report for this collection.
        case unsupported
    }

    /// The changes since `token` through REPORT sync-collection, page after page while the server truncates.
    func syncCollection(_ collection: PIMCollection, at url: URL, since token: String?) async throws -> SyncOutcome {
        var result = PIMChanges(changed: [:], deleted: [], token: token, isFullListing: token == nil)
        var deleted: Set<String> = []
        var current = token
        // A server that truncates keeps giving a new token; one that would loop is stopped by the bound.
        for _ in 0..<10_000 {
            let answer = try await connection.send(
                .REPORT, url, headers: [("Depth", "1"), ("Content-Type", "application/xml; charset=utf-8")],
                body: DAVRequestBody.syncCollection(token: current), collection: collection)
            switch answer.status {
            case 207:
                break
            case 403 where DAVErrorBody.names("valid-sync-token", in: answer.body),
                409 where DAVErrorBody.names("valid-sync-token", in: answer.body):
                return .tokenRefused
            case 400, 403, 405, 415, 501:
                return .unsupported
            case 404:
                throw missingCollection(collection, at: url)
            default:
                throw connection.failure(answer, doing: "list the changes", collection: collection)
            }
            guard let page = DAVSyncPage(parsing: answer.body, answeredBy: answer.url, collection: url),
                let next = page.token
            else {
                throw PIMStoreError(
                    .badAnswer, store: storeName, collection: collection,
                    detail: "the answer to sync-collection has no sync token or is not a multistatus",
                    advice: "Check that the URL is a CardDAV/CalDAV server's")
            }
            for (href, etag) in page.changed {
                result.changed[href] = etag
                deleted.remove(href)
            }
            for href in page.deleted {
                result.changed.removeValue(forKey: href)
                if !result.isFullListing { deleted.insert(href) }
            }
            result.token = next
            if !page.isTruncated || next == current { break }
            current = next
        }
        result.deleted = deleted.sorted()
        return .changes(result)
    }

    /// Every item's etag through PROPFIND Depth 1, for servers without sync-collection.
    func listEtags(_ collection: PIMCollection, at url: URL) async throws -> PIMChanges {
        let answer = try await connection.send(
            .PROPFIND, url, headers: [("Depth", "1"), ("Content-Type", "application/xml; charset=utf-8")],
            body: DAVRequestBody.etags, collection: collection)
        if answer.status == 404 { throw missingCollection(collection, at: url) }
        guard answer.status == 207 else {
            throw connection.failure(answer, doing: "list the items", collection: collection)
        }
        guard let multistatus = DAVMultistatus(parsing: answer.body) else {
            throw PIMStoreError(
                .badAnswer, store: storeName, collection: collection,
                detail: "the answer to PROPFIND \(url.path) is not a multistatus")
        }
        var changed: [String: String] = [:]
        for response in multistatus.responses
        where !response.isCollection && !DAVPath.names(response.href, answeredBy: answer.url, url) {
            guard let etag = response.etag else { continue }
            changed[DAVPath.itemHref(response.href, answeredBy: answer.url, collection: url)] = etag
        }
        return PIMChanges(changed: changed, deleted: [], token: nil, isFullListing: true)
    }

    /// The error for a collection removed from the server; the next call looks for it (and creates it) again.
    func missingCollection(_ collection: PIMCollection, at url: URL) -> PIMStoreError {
        collectionURLs[collection] = nil
        return PIMStoreError(
            .notFound(href: url.path), store: storeName, collection: collection,
            detail: "the collection \(url.path) is gone from the server",
            advice: "Run `crm-desktop pim sync` again to create it anew")
    }
}
