import Synchronization

/// Where a `Console` reads the user's answers from: standard input, or a list of lines in tests.
///
/// A value type around a closure rather than a protocol: the only other source is the test one.
public struct LineSource: Sendable {
    /// The file descriptor behind the source, when there is one; `Console` turns its echo off for secrets.
    public let fileDescriptor: Int32?
    private let next: @Sendable () -> String?

    /// A source that answers with `next()`, which returns nil at end of input.
    public init(fileDescriptor: Int32? = nil, next: @escaping @Sendable () -> String?) {
        self.fileDescriptor = fileDescriptor
        self.next = next
    }

    /// The next line without its line ending, or nil at end of input.
    public func readLine() -> String? {
        next()
    }

    /// Standard input, line by line.
    public static let standardInput = LineSource(fileDescriptor: 0) { Swift.readLine(strippingNewline: true) }

    /// Answers `lines` in order, then end of input: for tests and scripted runs.
    public static func lines(_ lines: [String]) -> LineSource {
        let queue = LineQueue(lines)
        return LineSource { queue.next() }
    }
}

/// The lines a scripted `LineSource` has still to answer, shared by the closure's copies.
private final class LineQueue: Sendable {
    private let remaining: Mutex<ArraySlice<String>>

    init(_ lines: [String]) {
        remaining = Mutex(lines[...])
    }

    func next() -> String? {
        remaining.withLock { $0.popFirst() }
    }
}
