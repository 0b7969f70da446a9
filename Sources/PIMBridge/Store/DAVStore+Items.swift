import Foundation

extension DAVStore {
    /// How many items one multiget asks for.
    static let multigetBatch = 100

    public func read(_ collection: PIMCollection, hrefs: [String]) async throws -> [PIMItem] {
        guard !hrefs.isEmpty else { return [] }
        for href in hrefs { try checkHref(href, in: collection) }
        let url = try await collectionURL(collection)
        var found: [String: PIMItem] = [:]
        var start = 0
        while start < hrefs.count {
            let batch = Array(hrefs[start..<min(start + Self.multigetBatch, hrefs.count)])
            start += batch.count
            var items = try await multiget(collection, at: url, hrefs: batch)
            if items == nil { items = try await readEach(collection, at: url, hrefs: batch) }
            for item in items ?? [] { found[item.href] = item }
        }
        var seen: Set<String> = []
        return hrefs.compactMap { href in seen.insert(href).inserted ? found[href] : nil }
    }

    /// The items through addressbook-multiget / calendar-multiget; nil when the server has no such report.
    ///
    /// The data comes inside XML, whose parsers turn CRLF into LF: lines end in CRLF again, as vCard and
    /// iCalendar want them (a line break inside a value is always escaped as `\n`, so no LF is data).
    private func multiget(_ collection: PIMCollection, at url: URL, hrefs: [String]) async throws -> [PIMItem]? {
        if multigetUnsupported { return nil }
        let paths = hrefs.map { DAVPath.itemURL($0, in: url) }.map {
            URLComponents(url: $0, resolvingAgainstBaseURL: true)?.percentEncodedPath ?? $0.path
        }
        let answer = try await connection.send(
            .REPORT, url, headers: [("Depth", "1"), ("Content-Type", "application/xml; charset=utf-8")],
            body: DAVRequestBody.multiget(collection, paths: paths), collection: collection)
        switch answer.status {
        case 207: break
        case 400, 403, 405, 415, 501:
            multigetUnsupported = true
            return nil
        case 404: throw missingCollection(collection, at: url)
        default: throw connection.failure(answer, doing: "read items", collection: collection)
        }
        guard let multistatus = DAVMultistatus(parsing: answer.body) else {
            throw PIMStoreError(
                .badAnswer, store: storeName, collection: collection,
                detail: "the answer to \(collection == .contacts ? "addressbook" : "calendar")-multiget is not a "
                    + "multistatus")
        }
        let (namespace, name) =
            collection == .contacts
            ? (DAVXMLElement.cardDAV, "address-data") : (DAVXMLElement.calDAV, "calendar-data")
        return multistatus.responses.compactMap { response in
            guard response.status.map({ (200..<300).contains($0) }) ?? true,
                let data = response.property(namespace, name), let etag = response.etag
            else { return nil }
            return PIMItem(
                href: DAVPath.itemHref(response.href, answeredBy: answer.url, collection: url), etag: etag,
                data: Self.withCRLF(data.text))
        }
    }

    /// The items through one GET each.
    func readEach(_ collection: PIMCollection, at url: URL, hrefs: [String]) async throws -> [PIMItem] {
        var items: [PIMItem] = []
        for href in hrefs {
            let answer = try await connection.send(.GET, DAVPath.itemURL(href, in: url), collection: collection)
            switch answer.status {
            case 200: items.append(PIMItem(href: href, etag: answer.etag ?? "", data: answer.body))
            case 404, 410: continue
            default: throw connection.failure(answer, doing: "read \(href)", collection: collection)
            }
        }
        return items
    }

    public func put(_ collection: PIMCollection, href: String, data: Data, ifMatch: String?) async throws -> PIMItem {
        try checkHref(href, in: collection)
        let url = try await collectionURL(collection)
        let itemURL = DAVPath.itemURL(href, in: url)
        var headers = [
            ("Content-Type", collection == .contacts ? "text/vcard; charset=utf-8" : "text/calendar; charset=utf-8")
        ]
        headers.append(ifMatch.map { ("If-Match", $0) } ?? ("If-None-Match", "*"))
        let answer = try await connection.send(.PUT, itemURL, headers: headers, body: data, collection: collection)
        switch answer.status {
        case 200..<300:
            // A weak or missing etag: the server changed what it stored; its etag comes from a PROPFIND.
            if let etag = answer.etag, !etag.hasPrefix("W/") { return PIMItem(href: href, etag: etag, data: data) }
            return PIMItem(href: href, etag: try await fetchEtag(itemURL, collection), data: data)
        case 412:
            throw ifMatch == nil ? alreadyExists(href, collection) : changed(href, collection)
        case 404 where ifMatch != nil:
            throw changed(href, collection)
        case 403 where DAVErrorBody.names("no-uid-conflict", in: answer.body):
            // CalDAV/CardDAV: an item with the same UID exists at another href in the collection.
            let existing = DAVErrorBody.href(in: "no-uid-conflict", of: answer.body).map {
                DAVPath.itemHref($0, answeredBy: answer.url, collection: url)
            }
            throw alreadyExists(existing ?? href, collection)
        default:
            throw connection.failure(answer, doing: "write \(href)", collection: collection)
        }
    }

    public func delete(_ collection: PIMCollection, href: String, ifMatch: String?) async throws {
        try checkHref(href, in: collection)
        let url = try await collectionURL(collection)
        let answer = try await connection.send(
            .DELETE, DAVPath.itemURL(href, in: url), headers: ifMatch.map { [("If-Match", $0)] } ?? [],
            collection: collection)
        switch answer.status {
        case 200..<300: return
        case 404, 410:
            throw PIMStoreError(
                .notFound(href: href), store: storeName, collection: collection,
                detail: "the \(collection.itemNoun) \(href) is already gone from the server")
        case 412: throw changed(href, collection)
        default: throw connection.failure(answer, doing: "delete \(href)", collection: collection)
        }
    }

    /// The etag of an item whose PUT answered without one (the server changed what it stored).
    private func fetchEtag(_ itemURL: URL, _ collection: PIMCollection) async throws -> String {
        let answer = try await connection.send(
            .PROPFIND, itemURL, headers: [("Depth", "0"), ("Content-Type", "application/xml; charset=utf-8")],
            body: DAVRequestBody.etags, collection: collection)
        guard answer.status == 207, let etag = DAVMultistatus(parsing: answer.body)?.responses.first?.etag else {
            throw PIMStoreError(
                .badAnswer, store: storeName, collection: collection,
                detail: "the server gave no etag for \(itemURL.path) after writing it")
        }
        return etag
    }

    private func checkHref(_ href: String, in collection: PIMCollection) throws {
        guard !href.isEmpty, href != ".", href != "..", !href.utf8.contains(0),
            href.hasPrefix("/") || !href.contains("/")
        else {
            throw PIMStoreError(
                .invalidHref(href), store: storeName, collection: collection,
                detail: "\"\(href)\" cannot name an item of the collection",
                advice: "An item's href is a name without a slash, or an absolute path on the server")
        }
    }

    func changed(_ href: String, _ collection: PIMCollection) -> PIMStoreError {
        PIMStoreError(
            .changed(href: href), store: storeName, collection: collection,
            detail: "the \(collection.itemNoun) \(href) changed on the server since it was read",
            advice: "Read it again and merge before writing")
    }

    private func alreadyExists(_ href: String, _ collection: PIMCollection) -> PIMStoreError {
        PIMStoreError(
            .alreadyExists(href: href), store: storeName, collection: collection,
            detail: "a \(collection.itemNoun) \(href) exists already on the server",
            advice: "Read it and adopt it instead of creating a new one")
    }

    /// Text with every line ending as CRLF.
    static func withCRLF(_ text: String) -> Data {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count + text.utf8.count / 40)
        var previous: UInt8 = 0
        for byte in text.utf8 {
            if byte == 0x0A, previous != 0x0D { bytes.append(0x0D) }
            bytes.append(byte)
            previous = byte
        }
        return Data(bytes)
    }
}
