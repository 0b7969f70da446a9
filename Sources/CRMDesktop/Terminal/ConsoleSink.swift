import Foundation

/// Where a `Console` writes: results to standard output, prompts and notes to standard error.
///
/// Keeping the two streams apart lets `crm-desktop list contacts --format csv > out.csv` stay clean while the user
/// still sees questions and progress.
public struct ConsoleSink: Sendable {
    /// Which of the two streams a piece of text goes to.
    public enum Stream: Sendable, Equatable {
        /// Results a script may read (standard output).
        case output
        /// Prompts, notes and progress for the person at the terminal (standard error).
        case diagnostics
    }

    private let write: @Sendable (String, Stream) -> Void

    /// A sink that hands every piece of text, exactly as written (line endings included), to `write`.
    public init(write: @escaping @Sendable (String, Stream) -> Void) {
        self.write = write
    }

    /// Writes `text` as it is to `stream`.
    public func write(_ text: String, to stream: Stream) {
        write(text, stream)
    }

    /// Standard output (through `print`, so it shares buffering with the rest of the process) and standard error.
    public static let standard = ConsoleSink { text, stream in
        switch stream {
        case .output: print(text, terminator: "")
        case .diagnostics: FileHandle.standardError.write(Data(text.utf8))
        }
    }
}
