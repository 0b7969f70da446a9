import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension VdirStore {
    /// Creates the items as `put` does, but makes their bytes durable together: every temporary file is written,
    /// then synced to disk at once (Linux: one `syncfs` of the folder's file system; elsewhere one `fsync` per
    /// file, after all were written), then each is linked into place. A crash leaves whole items or none, as with
    /// `put`; the folder itself is synced by `flush()`.
    public func create(_ collection: PIMCollection, items: [(href: String, data: Data)]) async throws
        -> [Result<PIMItem, PIMStoreError>]
    {
        var results: [Result<PIMItem, PIMStoreError>?] = Array(repeating: nil, count: items.count)
        var staged: [(index: Int, path: String)] = []
        // Whatever is still staged when this returns or throws is removed.
        defer { for entry in staged { unlink(entry.path) } }
        for (index, item) in items.enumerated() {
            do {
                try checkHref(item.href, in: collection)
                staged.append((index, try stage(item.data, for: item.href, in: collection, sync: false)))
            } catch let error as PIMStoreError {
                results[index] = .failure(error)
            }
        }
        try syncStaged(staged.map(\.path), in: collection)
        while let entry = staged.first {
            staged.removeFirst()
            let item = items[entry.index]
            do {
                let etag = try place(entry.path, at: item.href, in: collection, ifMatch: nil)
                results[entry.index] = .success(PIMItem(href: item.href, etag: etag, data: item.data))
            } catch let error as PIMStoreError {
                results[entry.index] = .failure(error)
            }
        }
        return results.map { $0 ?? .failure(changedError("", in: collection)) }
    }

    /// Makes the staged files' bytes durable before any is linked into place.
    private func syncStaged(_ paths: [String], in collection: PIMCollection) throws {
        guard !paths.isEmpty else { return }
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
        for path in paths {
            let descriptor = open(path, O_RDONLY | O_CLOEXEC)
            guard descriptor >= 0 else {
                throw fileSystemError(errno, "cannot sync the new items to disk", collection: collection)
            }
            defer { close(descriptor) }
            if fsync(descriptor) != 0 {
                throw fileSystemError(errno, "cannot sync the new items to disk", collection: collection)
            }
        }
    }

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
