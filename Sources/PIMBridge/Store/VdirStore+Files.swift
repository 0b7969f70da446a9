import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

#if canImport(Glibc)
private let systemRead = Glibc.read
#elseif canImport(Darwin)
private let systemRead = Darwin.read
#endif

/// What `stat` says about a file, as far as a vdir needs it.
struct VdirFileStatus: Equatable {
    var etag: String
    var isRegularFile: Bool

    init(_ info: stat) {
        #if canImport(Darwin)
        let time = info.st_mtimespec
        #else
        let time = info.st_mtim
        #endif
        let nanoseconds = Int64(time.tv_sec) * 1_000_000_000 + Int64(time.tv_nsec)
        // vdirsyncer formats the same two numbers as "%.9f;%d".
        etag = "\(nanoseconds).000000000;\(info.st_ino)"
        isRegularFile = (info.st_mode & S_IFMT) == S_IFREG
    }
}

extension VdirStore {
    /// The status of the file at `path`, nil when there is none.
    func fileStatus(_ path: String, collection: PIMCollection) throws -> VdirFileStatus? {
        var info = stat()
        if stat(path, &info) != 0 {
            if errno == ENOENT || errno == ENOTDIR { return nil }
            throw fileSystemError(errno, "cannot look at \(path)", collection: collection)
        }
        return VdirFileStatus(info)
    }

    /// The items of a collection's folder with their status, in one pass: each name listed is looked at
    /// relative to the open folder (`fstatat`), not through its whole path. A file gone between the listing and
    /// the look is left out.
    func itemStatuses(in collection: PIMCollection) throws -> [(name: String, status: VdirFileStatus)] {
        let path = folder(collection)
        guard let directory = opendir(path) else {
            let code = errno
            throw fileSystemError(
                code,
                code == ENOENT
                    ? "the folder \(path) is missing (run `crm-desktop pim sync` to create it)"
                    : "cannot list the folder \(path)",
                collection: collection)
        }
        defer { closedir(directory) }
        let descriptor = dirfd(directory)
        var items: [(name: String, status: VdirFileStatus)] = []
        while let entry = readdir(directory) {
            let name = withUnsafePointer(to: &entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: Int(NAME_MAX) + 1) { String(cString: $0) }
            }
            guard isItemName(name, in: collection) else { continue }
            var info = stat()
            if fstatat(descriptor, name, &info, 0) != 0 {
                if errno == ENOENT || errno == ENOTDIR { continue }
                throw fileSystemError(errno, "cannot look at \(path)/\(name)", collection: collection)
            }
            items.append((name, VdirFileStatus(info)))
        }
        return items
    }

    /// Creates the folder and the missing folders above it; true when it created one.
    @discardableResult
    func makeFolder(_ path: String, collection: PIMCollection) throws -> Bool {
        if mkdir(path, 0o755) == 0 { return true }
        if errno == EEXIST { return false }
        let code = errno
        let parent = (path as NSString).deletingLastPathComponent
        if code == ENOENT, parent != path, !parent.isEmpty {
            try makeFolder(parent, collection: collection)
            if mkdir(path, 0o755) == 0 { return true }
            if errno == EEXIST { return false }
        }
        throw fileSystemError(errno, "cannot create the folder \(path)", collection: collection)
    }

    /// The file `href` of the collection with the etag of the very file read, nil when there is none.
    func readFile(_ href: String, in collection: PIMCollection) throws -> PIMItem? {
        let path = self.path(href, in: collection)
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        if descriptor < 0 {
            if errno == ENOENT { return nil }
            throw fileSystemError(errno, "cannot read \(collection.rawValue)/\(href)", collection: collection)
        }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else {
            throw fileSystemError(errno, "cannot read \(collection.rawValue)/\(href)", collection: collection)
        }
        let status = VdirFileStatus(info)
        guard status.isRegularFile else { return nil }
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = buffer.withUnsafeMutableBytes { systemRead(descriptor, $0.baseAddress, $0.count) }
            if count == 0 { break }
            if count < 0 {
                if errno == EINTR { continue }
                throw fileSystemError(errno, "cannot read \(collection.rawValue)/\(href)", collection: collection)
            }
            data.append(contentsOf: buffer[..<count])
        }
        return PIMItem(href: href, etag: status.etag, data: data)
    }

    /// Writes `data` to a hidden temporary file in the collection's folder, syncs it, and puts it in place:
    /// without `ifMatch` only when no file `name` exists (a hard link, which fails when the name is taken), with
    /// `ifMatch` only when the file still has that etag (a rename over it). Returns the new file's etag.
    @discardableResult
    func writeAtomically(_ data: Data, to name: String, in collection: PIMCollection, ifMatch: String?) throws -> String
    {
        let temporary = try stage(data, for: name, in: collection, sync: true)
        return try place(temporary, at: name, in: collection, ifMatch: ifMatch)
    }

    /// Writes `data` to a new hidden temporary file of the collection's folder (synced to disk when `sync`) and
    /// returns its path, for `place`.
    func stage(_ data: Data, for name: String, in collection: PIMCollection, sync: Bool) throws -> String {
        let temporary = path(".crm-\(UUID().uuidString).tmp", in: collection)
        try writeFile(data, to: temporary, sync: sync, what: "\(collection.rawValue)/\(name)", collection: collection)
        return temporary
    }

    /// Puts a staged temporary file in place as `name` (see `writeAtomically`); the temporary file is gone
    /// afterwards, whether it was placed or not. Returns the new file's etag.
    func place(_ temporary: String, at name: String, in collection: PIMCollection, ifMatch: String?) throws -> String {
        let target = path(name, in: collection)
        let what = "\(collection.rawValue)/\(name)"
        var placed = false
        defer { if !placed { unlink(temporary) } }

        if let ifMatch {
            guard let current = try fileStatus(target, collection: collection), current.etag == ifMatch else {
                throw changedError(name, in: collection)
            }
            guard rename(temporary, target) == 0 else {
                throw fileSystemError(errno, "cannot replace \(what)", collection: collection)
            }
            placed = true
        } else if link(temporary, target) == 0 {
            unlink(temporary)
            placed = true
        } else {
            let code = errno
            if code == EEXIST { throw alreadyExistsError(name, in: collection) }
            // File systems without hard links: check, then rename (not atomic against another writer).
            guard code == EPERM || code == ENOTSUP || code == EOPNOTSUPP || code == EMLINK || code == ENOSYS else {
                throw fileSystemError(code, "cannot create \(what)", collection: collection)
            }
            if try fileStatus(target, collection: collection) != nil { throw alreadyExistsError(name, in: collection) }
            guard rename(temporary, target) == 0 else {
                throw fileSystemError(errno, "cannot create \(what)", collection: collection)
            }
            placed = true
        }
        guard let status = try fileStatus(target, collection: collection) else {
            throw changedError(name, in: collection)
        }
        return status.etag
    }

    private func writeFile(_ data: Data, to path: String, sync: Bool, what: String, collection: PIMCollection) throws {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw fileSystemError(errno, "cannot write \(what)", collection: collection)
        }
        var failure = writeAll(data, to: descriptor)
        if failure == nil, sync, fsync(descriptor) != 0 { failure = errno }
        if close(descriptor) != 0, failure == nil { failure = errno }
        if let failure {
            unlink(path)
            throw fileSystemError(failure, "cannot write \(what)", collection: collection)
        }
    }

    /// Writes all of `data` to the open file; the error number when a write failed.
    func writeAll(_ data: Data, to descriptor: Int32) -> Int32? {
        data.withUnsafeBytes { bytes in
            var offset = 0
            while offset < bytes.count {
                let count = write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
                if count < 0 {
                    if errno == EINTR { continue }
                    return errno
                }
                offset += count
            }
            return nil
        }
    }

    func alreadyExistsError(_ href: String, in collection: PIMCollection) -> PIMStoreError {
        PIMStoreError(
            .alreadyExists(href: href), store: storeName, collection: collection,
            detail: "a \(collection.itemNoun) \(collection.rawValue)/\(href) exists already",
            advice: "Read it and adopt it instead of creating a new one")
    }
}
