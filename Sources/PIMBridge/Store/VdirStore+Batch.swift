import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension VdirStore {
    /// Creates the items as `put` does, but makes their bytes durable together: every file of a batch is
    /// written, then synced to disk at once (Linux: one `syncfs` of the folder's file system; elsewhere one
    /// `fsync` per file, after all were written), then each is linked into place. A crash leaves whole items or
    /// none, as with `put`; the folder itself is synced by `flush()`.
    ///
    /// On Linux the files are written without a name (`O_TMPFILE`) and get one only when linked into place: the
    /// kernel adds one entry to the folder per item instead of adding a temporary name, linking, and removing it,
    /// and a crash leaves no temporary file behind. File systems without it get named temporary files.
    public func create(_ collection: PIMCollection, items: [(href: String, data: Data)]) async throws
        -> [Result<PIMItem, PIMStoreError>]
    {
        // Two writers at once where there are cores for them (the kernel's work of making a file is most of
        // it); a nameless file is open until linked, so a batch holds at most a share of the descriptors allowed.
        let workers = min(2, ProcessInfo.processInfo.activeProcessorCount, max(1, items.count / 512))
        let perBatch = min(Self.filesPerBatch / workers, (items.count + workers - 1) / workers)
        let batches = stride(from: 0, to: items.count, by: max(perBatch, 1)).map {
            $0..<min($0 + max(perBatch, 1), items.count)
        }
        var results: [Result<PIMItem, PIMStoreError>?] = Array(repeating: nil, count: items.count)
        try await withThrowingTaskGroup(of: [(Int, Result<PIMItem, PIMStoreError>)].self) { group in
            var next = 0
            func startBatch() {
                guard next < batches.count else { return }
                let range = batches[next]
                next += 1
                group.addTask { try createBatch(collection, items: items, range: range) }
            }
            for _ in 0..<workers { startBatch() }
            for try await done in group {
                for (index, result) in done { results[index] = result }
                startBatch()
            }
        }
        return results.map { $0 ?? .failure(changedError("", in: collection)) }
    }

    private func createBatch(
        _ collection: PIMCollection, items: [(href: String, data: Data)], range: Range<Int>
    ) throws -> [(Int, Result<PIMItem, PIMStoreError>)] {
        var results: [(Int, Result<PIMItem, PIMStoreError>)] = []
        var staged: [(index: Int, file: StagedFile)] = []
        var placed = 0
        // Whatever is still staged when this returns or throws is removed.
        defer { for entry in staged[placed...] { entry.file.discard() } }
        var nameless = Self.namelessFilesWork
        for index in range {
            let item = items[index]
            do {
                try checkHref(item.href, in: collection)
                if nameless, let file = try stageNameless(item.data, for: item.href, in: collection) {
                    staged.append((index, file))
                    continue
                }
                nameless = false
                staged.append((index, .named(try stage(item.data, for: item.href, in: collection, sync: false))))
            } catch let error as PIMStoreError {
                results.append((index, .failure(error)))
            }
        }
        try syncStaged(staged.map(\.file), in: collection)
        while placed < staged.count {
            let entry = staged[placed]
            placed += 1
            let item = items[entry.index]
            do {
                let etag: String
                switch entry.file {
                case .named(let path): etag = try place(path, at: item.href, in: collection, ifMatch: nil)
                case .nameless(let descriptor): etag = try placeNameless(descriptor, at: item.href, in: collection)
                }
                results.append((entry.index, .success(PIMItem(href: item.href, etag: etag, data: item.data))))
            } catch let error as PIMStoreError {
                results.append((entry.index, .failure(error)))
            }
        }
        return results
    }

    /// A file written for a batch and not yet in place.
    private enum StagedFile {
        /// A hidden temporary file of the folder.
        case named(String)
        /// An open file without a name (Linux `O_TMPFILE`), gone when closed unless linked first.
        case nameless(Int32)

        func discard() {
            switch self {
            case .named(let path): unlink(path)
            case .nameless(let descriptor): close(descriptor)
            }
        }
    }

    /// Writes `data` into a new file without a name in the collection's folder; nil when the folder's file system
    /// cannot make one (the caller stages a named file instead).
    private func stageNameless(_ data: Data, for name: String, in collection: PIMCollection) throws -> StagedFile? {
        #if os(Linux)
        let descriptor = open(folder(collection), Self.openNameless | O_WRONLY | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            let code = errno
            if code == EOPNOTSUPP || code == EISDIR || code == EINVAL || code == ENOTSUP { return nil }
            throw fileSystemError(code, "cannot write \(collection.rawValue)/\(name)", collection: collection)
        }
        if let failure = writeAll(data, to: descriptor) {
            close(descriptor)
            throw fileSystemError(failure, "cannot write \(collection.rawValue)/\(name)", collection: collection)
        }
        return .nameless(descriptor)
        #else
        return nil
        #endif
    }

    /// Links a nameless file into place as `name`, failing when the name is taken; closes it either way.
    private func placeNameless(_ descriptor: Int32, at name: String, in collection: PIMCollection) throws -> String {
        defer { close(descriptor) }
        let target = path(name, in: collection)
        guard linkat(AT_FDCWD, "/proc/self/fd/\(descriptor)", AT_FDCWD, target, AT_SYMLINK_FOLLOW) == 0 else {
            let code = errno
            if code == EEXIST { throw alreadyExistsError(name, in: collection) }
            throw fileSystemError(code, "cannot create \(collection.rawValue)/\(name)", collection: collection)
        }
        // The very file linked: its status is the item's etag, with no second look up of the path.
        var info = stat()
        guard fstat(descriptor, &info) == 0 else {
            throw fileSystemError(errno, "cannot look at \(collection.rawValue)/\(name)", collection: collection)
        }
        return VdirFileStatus(info).etag
    }

    /// Makes the staged files' bytes durable before any is linked into place.
    private func syncStaged(_ files: [StagedFile], in collection: PIMCollection) throws {
        guard !files.isEmpty else { return }
        if let syncfs = Self.syncfs {
            let descriptor = open(folder(collection), O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            guard descriptor >= 0 else {
                throw fileSystemError(errno, "cannot open the folder to sync it", collection: collection)
            }
            defer { close(descriptor) }
            if syncfs(descriptor) != 0 {
                throw fileSystemError(errno, "cannot sync the new items to disk", collection: collection)
            }
            return
        }
        for file in files {
            let descriptor: Int32
            switch file {
            case .nameless(let open): descriptor = dup(open)
            case .named(let path): descriptor = open(path, O_RDONLY | O_CLOEXEC)
            }
            guard descriptor >= 0 else {
                throw fileSystemError(errno, "cannot sync the new items to disk", collection: collection)
            }
            defer { close(descriptor) }
            if fsync(descriptor) != 0 {
                throw fileSystemError(errno, "cannot sync the new items to disk", collection: collection)
            }
        }
    }

    /// How many files one batch stages: a quarter of the process's descriptors, between 16 and 2,048.
    static let filesPerBatch: Int = {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 256 }
        return max(16, min(2_048, Int(clamping: limit.rlim_cur) / 4))
    }()

    /// Whether nameless files can be linked into place here: Linux, with `/proc` to name an open file by.
    static let namelessFilesWork: Bool = {
        #if os(Linux)
        return access("/proc/self/fd", F_OK) == 0
        #else
        return false
        #endif
    }()

    /// Linux's `O_TMPFILE` (a macro Swift does not import): `__O_TMPFILE | O_DIRECTORY`.
    static let openNameless: Int32 = 0o20_000_000 | O_DIRECTORY

    /// Linux's `syncfs` (the C library has it, Swift's Glibc module does not declare it); nil elsewhere.
    private static let syncfs: (@convention(c) (Int32) -> Int32)? = {
        #if os(Linux)
        guard let symbol = dlsym(nil, "syncfs") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) (Int32) -> Int32).self)
        #else
        return nil
        #endif
    }()
}
