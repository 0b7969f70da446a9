import Foundation

/// The PIM as a folder of files in vdirsyncer's layout, which khal and khard read: `<root>/contacts/*.vcf`,
/// `<root>/calendar/*.ics`, `<root>/tasks/*.ics`, one item per file, each folder with `displayname` and `color`.
///
/// An etag is `<mtime in ns>;<inode>` as vdirsyncer makes it, so any change of a file gives it a new etag. Writes
/// are atomic (a hidden temporary file in the same folder, fsynced, then renamed over the item); `flush()` syncs the
/// folders once per batch. Hidden files and files without the collection's extension are not items.
///
/// The file calls are blocking system calls on small files, made on the caller's task.
public struct VdirStore: PIMStore {
    public let root: URL

    public init(root: URL) {
        self.root = root
    }

    /// The colors a new folder gets (khal shows them; the user may change the `color` file).
    static let colors: [PIMCollection: String] = [.contacts: "#1565C0", .calendar: "#2E7D32", .tasks: "#EF6C00"]

    var storeName: String { "vdir:\(root.path)" }

    public func prepare() async throws {
        var created = false
        for collection in PIMCollection.allCases {
            let folder = self.folder(collection)
            created = try makeFolder(folder, collection: collection) || created
            // vdirsyncer's metadata files; a value the user chose is kept.
            let metadata = ["displayname": collection.displayName, "color": Self.colors[collection] ?? "#1565C0"]
            for (name, value) in metadata.sorted(by: { $0.key < $1.key }) {
                if try fileStatus(path(name, in: collection), collection: collection) != nil { continue }
                _ = try writeAtomically(Data(value.utf8), to: name, in: collection, ifMatch: nil)
                created = true
            }
        }
        // Folders that were all there already need no sync to disk.
        if created { try await flush() }
    }

    public func changes(in collection: PIMCollection, since token: String?) async throws -> PIMChanges {
        var changed: [String: String] = [:]
        for (name, status) in try itemStatuses(in: collection) where status.isRegularFile {
            changed[name] = status.etag
        }
        return PIMChanges(changed: changed, deleted: [], token: nil, isFullListing: true)
    }

    public func read(_ collection: PIMCollection, hrefs: [String]) async throws -> [PIMItem] {
        var items: [PIMItem] = []
        for href in hrefs {
            try checkHref(href, in: collection)
            if let item = try readFile(href, in: collection) { items.append(item) }
        }
        return items
    }

    public func put(_ collection: PIMCollection, href: String, data: Data, ifMatch: String?) async throws -> PIMItem {
        try checkHref(href, in: collection)
        let etag = try writeAtomically(data, to: href, in: collection, ifMatch: ifMatch)
        return PIMItem(href: href, etag: etag, data: data)
    }

    public func delete(_ collection: PIMCollection, href: String, ifMatch: String?) async throws {
        try checkHref(href, in: collection)
        let path = self.path(href, in: collection)
        guard let status = try fileStatus(path, collection: collection) else {
            throw PIMStoreError(
                .notFound(href: href), store: storeName, collection: collection,
                detail: "\(collection.rawValue)/\(href) is already gone")
        }
        if let ifMatch, status.etag != ifMatch {
            throw changedError(href, in: collection)
        }
        if unlink(path) != 0 {
            let code = errno
            if code == ENOENT {
                throw PIMStoreError(
                    .notFound(href: href), store: storeName, collection: collection,
                    detail: "\(collection.rawValue)/\(href) is already gone")
            }
            throw fileSystemError(code, "cannot delete \(collection.rawValue)/\(href)", collection: collection)
        }
    }

    public func flush() async throws {
        for collection in PIMCollection.allCases {
            let descriptor = open(folder(collection), O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            if descriptor < 0 {
                if errno == ENOENT { continue }
                throw fileSystemError(errno, "cannot open the folder to sync it", collection: collection)
            }
            defer { close(descriptor) }
            if fsync(descriptor) != 0 {
                throw fileSystemError(errno, "cannot sync the folder to disk", collection: collection)
            }
        }
    }

    public func href(forUID uid: String, in collection: PIMCollection) -> String {
        collection.itemName(forUID: uid)
    }

    // MARK: - Names

    /// The collection's folder.
    func folder(_ collection: PIMCollection) -> String {
        root.path + "/" + collection.rawValue
    }

    /// The path of the file `name` of the collection's folder. Joined as text: `URL.appendingPathComponent`
    /// without a directory hint asks the file system whether the path is a folder, a call per item written.
    func path(_ name: String, in collection: PIMCollection) -> String {
        folder(collection) + "/" + name
    }

    /// Whether a file of the folder is an item: visible, with the collection's extension.
    func isItemName(_ name: String, in collection: PIMCollection) -> Bool {
        guard !name.hasPrefix("."), name.utf8.count > 4 else { return false }
        // The extension in any case, compared without lowercasing the whole name.
        let tail = Array(name.utf8.suffix(4))
        return tail[0] == UInt8(ascii: ".") && tail[1...].map { $0 | 0x20 } == Array(collection.fileExtension.utf8)
    }

    func checkHref(_ href: String, in collection: PIMCollection) throws {
        guard isItemName(href, in: collection), !href.contains("/"), !href.utf8.contains(0), href.utf8.count <= 240
        else {
            throw PIMStoreError(
                .invalidHref(href), store: storeName, collection: collection,
                detail: "\"\(href)\" cannot name a file of the folder",
                advice: "An item's file name has no slash, does not start with a dot and ends with "
                    + ".\(collection.fileExtension)")
        }
    }

    func changedError(_ href: String, in collection: PIMCollection) -> PIMStoreError {
        PIMStoreError(
            .changed(href: href), store: storeName, collection: collection,
            detail: "the \(collection.itemNoun) \(collection.rawValue)/\(href) changed on disk since it was read",
            advice: "Read it again and merge before writing")
    }

    func fileSystemError(_ code: Int32, _ what: String, collection: PIMCollection?) -> PIMStoreError {
        PIMStoreError(
            .fileSystem(errno: code), store: storeName, collection: collection,
            detail: "\(what): \(String(cString: strerror(code)))",
            advice: code == ENOSPC ? "Free some disk space and sync again" : "Check the PIM folder and its permissions")
    }
}
