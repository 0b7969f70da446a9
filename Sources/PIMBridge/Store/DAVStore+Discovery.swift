import Foundation

/// Where a user's address books and calendars live on a server.
struct DAVHomes: Sendable, Equatable {
    var addressBooks: URL
    var calendars: URL
}

extension DAVStore {
    /// Finds the homes from the URL given: `/.well-known/carddav` and `/caldav` first when it is a server's root,
    /// then the URL itself; from each, the home sets it has, else those of its `current-user-principal`, else
    /// (an address book or calendar) its parent, else (the URL given, a collection) itself.
    func discoverHomes() async throws -> DAVHomes {
        var contexts: [URL] = []
        let isRoot = DAVPath.segments(of: url).isEmpty
        if isRoot {
            for name in ["carddav", "caldav"] {
                if let wellKnown = URL(string: "/.well-known/\(name)", relativeTo: url)?.absoluteURL {
                    contexts.append(wellKnown)
                }
            }
        }
        contexts.append(url)

        var addressBooks: URL?
        var calendars: URL?
        var fallback: URL?
        for context in contexts where addressBooks == nil || calendars == nil {
            guard let found = try await homes(from: context, isGiven: context == url) else { continue }
            addressBooks = addressBooks ?? found.addressBooks
            calendars = calendars ?? found.calendars
            fallback = fallback ?? found.fallback
        }
        guard let addressBooks = addressBooks ?? fallback, let calendars = calendars ?? fallback else {
            throw PIMStoreError(
                .badAnswer, store: storeName,
                detail: "no \(addressBooks == nil ? "address book" : "calendar") home found on this server",
                advice: "Give the URL of your CardDAV/CalDAV account (your principal or a collection of yours)")
        }
        return DAVHomes(addressBooks: addressBooks, calendars: calendars)
    }

    private struct FoundHomes {
        var addressBooks: URL?
        var calendars: URL?
        /// A home to use for both when no home set was found.
        var fallback: URL?
    }

    /// The homes found from one URL, nil when it answers no PROPFIND (a missing well-known path).
    private func homes(from context: URL, isGiven: Bool) async throws -> FoundHomes? {
        guard let properties = try await discoveryProperties(of: context, required: isGiven) else { return nil }
        let (response, answeredBy) = properties
        var found = homeSets(in: response, answeredBy: answeredBy)
        if found.addressBooks == nil || found.calendars == nil,
            let principalHref = response.hrefProperty(DAVXMLElement.dav, "current-user-principal"),
            let principal = DAVPath.resolve(principalHref, against: answeredBy),
            DAVPath.segments(of: principal) != DAVPath.segments(of: answeredBy),
            let principalProperties = try await discoveryProperties(of: principal, required: false)
        {
            let sets = homeSets(in: principalProperties.0, answeredBy: principalProperties.1)
            found.addressBooks = found.addressBooks ?? sets.addressBooks
            found.calendars = found.calendars ?? sets.calendars
        }
        if let type = response.property(DAVXMLElement.dav, "resourcetype") {
            if type.has(DAVXMLElement.cardDAV, "addressbook") || type.has(DAVXMLElement.calDAV, "calendar") {
                found.fallback = DAVPath.parent(of: answeredBy)
            } else if isGiven, type.has(DAVXMLElement.dav, "collection"), !DAVPath.segments(of: answeredBy).isEmpty {
                found.fallback = DAVPath.asCollection(answeredBy)
            }
        }
        return found
    }

    private func homeSets(in response: DAVMultistatus.Response, answeredBy base: URL) -> FoundHomes {
        FoundHomes(
            addressBooks: response.hrefProperty(DAVXMLElement.cardDAV, "addressbook-home-set")
                .flatMap { DAVPath.resolve($0, against: base) }.map(DAVPath.asCollection),
            calendars: response.hrefProperty(DAVXMLElement.calDAV, "calendar-home-set")
                .flatMap { DAVPath.resolve($0, against: base) }.map(DAVPath.asCollection))
    }

    /// PROPFIND Depth 0 for the discovery properties; nil when the URL has none to give and is not `required`.
    private func discoveryProperties(of url: URL, required: Bool) async throws
        -> (DAVMultistatus.Response, URL)?
    {
        let answer = try await connection.send(
            .PROPFIND, url, headers: [("Depth", "0"), ("Content-Type", "application/xml; charset=utf-8")],
            body: DAVRequestBody.discovery)
        if answer.status == 401 {
            throw connection.failure(answer, doing: "look up the user's collections", collection: nil)
        }
        guard answer.status == 207, let multistatus = DAVMultistatus(parsing: answer.body),
            let response = multistatus.responses.first
        else {
            guard required else { return nil }
            if answer.status == 207 {
                throw PIMStoreError(
                    .badAnswer, store: storeName,
                    detail: "the answer to PROPFIND \(url.absoluteString) is not a multistatus",
                    advice: "Check that the URL is a CardDAV/CalDAV server's")
            }
            throw connection.failure(answer, doing: "look up the user's collections at \(url.path)", collection: nil)
        }
        return (response, answer.url)
    }

    /// The URL of one of the CRM's collections under `home`, created when missing.
    func ensureCollection(_ collection: PIMCollection, in home: URL) async throws -> URL {
        let target = DAVPath.child("crm-\(collection.rawValue)", of: home)
        let answer = try await connection.send(
            .PROPFIND, target, headers: [("Depth", "0"), ("Content-Type", "application/xml; charset=utf-8")],
            body: DAVRequestBody.resourceType, collection: collection)
        switch answer.status {
        case 207:
            let type = DAVMultistatus(parsing: answer.body)?.responses.first?.property(
                DAVXMLElement.dav, "resourcetype")
            let isRightKind =
                collection == .contacts
                ? type?.has(DAVXMLElement.cardDAV, "addressbook") : type?.has(DAVXMLElement.calDAV, "calendar")
            guard isRightKind == true else {
                throw PIMStoreError(
                    .refused(status: 207, message: ""), store: storeName, collection: collection,
                    detail: "\(target.path) exists but is not "
                        + (collection == .contacts ? "an address book" : "a calendar"),
                    advice: "Rename or remove it on the server, then sync again")
            }
            return DAVPath.asCollection(answer.url)
        case 404:
            try await create(collection, at: target)
            return target
        default:
            throw connection.failure(answer, doing: "look up \(target.path)", collection: collection)
        }
    }

    private func create(_ collection: PIMCollection, at target: URL) async throws {
        let answer: DAVConnection.Answer
        let headers = [("Content-Type", "application/xml; charset=utf-8")]
        switch collection {
        case .contacts:
            answer = try await connection.send(
                .MKCOL, target, headers: headers,
                body: DAVRequestBody.makeAddressBook(displayName: collection.displayName), collection: collection)
        case .calendar, .tasks:
            answer = try await connection.send(
                .MKCALENDAR, target, headers: headers,
                body: DAVRequestBody.makeCalendar(
                    displayName: collection.displayName, component: collection == .calendar ? "VEVENT" : "VTODO"),
                collection: collection)
        }
        // 405: another client created it meanwhile.
        guard answer.isSuccess || answer.status == 405 else {
            throw connection.failure(answer, doing: "create the collection \(target.path)", collection: collection)
        }
    }
}
