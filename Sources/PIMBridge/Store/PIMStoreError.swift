import Foundation

/// Why a PIM store could not do what it was asked, naming the store, the item and what to do.
///
/// Callers match on `code` (`.changed` means re-read and merge, `.alreadyExists` means adopt the existing item);
/// `description` is the sentence for the user.
public struct PIMStoreError: Error, Sendable, CustomStringConvertible, LocalizedError {
    public enum Code: Sendable, Equatable {
        /// The item changed since the etag given (DAV 412 on If-Match): read it again, merge, retry.
        case changed(href: String)
        /// An item with this href exists already (DAV 412 on If-None-Match: *).
        case alreadyExists(href: String)
        /// No item with this href.
        case notFound(href: String)
        /// The href cannot name an item of this store (a path separator, a hidden or reserved name).
        case invalidHref(String)
        /// The server could not be reached (connection refused, timed out, name unknown).
        case unreachable
        /// The server refused the user name or password (HTTP 401).
        case unauthorized
        /// The server refused the request with this status.
        case refused(status: Int, message: String)
        /// The server answered something that is not a CardDAV/CalDAV answer.
        case badAnswer
        /// Reading or writing the folder failed with this errno.
        case fileSystem(errno: Int32)
    }

    public var code: Code
    /// `vdir:PATH` or `dav:URL`.
    public var store: String
    /// The collection concerned, when one is.
    public var collection: PIMCollection?
    /// What happened, in words, without the store (for example "the server answered 500 to PUT a1.vcf").
    public var detail: String
    /// What the user can do about it.
    public var advice: String?
    /// The lower-level error, when there is one.
    public var cause: (any Error)?

    public init(
        _ code: Code, store: String, collection: PIMCollection? = nil, detail: String, advice: String? = nil,
        cause: (any Error)? = nil
    ) {
        self.code = code
        self.store = store
        self.collection = collection
        self.detail = detail
        self.advice = advice
        self.cause = cause
    }

    public var description: String {
        var text = "\(store)"
        if let collection { text += " (\(collection.rawValue))" }
        text += ": \(detail)"
        if let cause { text += " (\(cause))" }
        if let advice { text += ". \(advice)" }
        return text
    }

    public var errorDescription: String? { description }
}
