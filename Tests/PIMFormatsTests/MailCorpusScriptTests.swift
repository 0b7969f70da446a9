import Foundation
import Testing

/// `Fixtures/mail/generated/make_corpus.py` still writes the corpus that is checked in: the script is run with
/// python3 into a temporary folder and every file it writes must equal the committed one byte for byte (its
/// output is deterministic: fixed boundaries, dates and ids). So the script and the corpus cannot drift apart.
@Suite struct MailCorpusScriptTests {
    static let folder = Bundle.module.resourceURL!.appendingPathComponent("Fixtures/mail/generated")

    @Test func corpusScriptWritesExactlyTheCommittedFiles() throws {
        let temporary = FileManager.default.temporaryDirectory.appendingPathComponent("crm-corpus-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: temporary, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: temporary) }
        // The script writes next to itself.
        let script = temporary.appendingPathComponent("make_corpus.py")
        try FileManager.default.copyItem(at: Self.folder.appendingPathComponent("make_corpus.py"), to: script)

        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script.path]
        process.environment = ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin",
            "LANG": "C.UTF-8", "TZ": "UTC", "PYTHONDONTWRITEBYTECODE": "1"]
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        try #require(process.terminationStatus == 0, "make_corpus.py failed: \(message)")

        let written = try Self.files(in: temporary)
        let committed = try Self.files(in: Self.folder)
        #expect(written == committed)
        for name in committed {
            let mine = try Data(contentsOf: temporary.appendingPathComponent(name))
            let theirs = try Data(contentsOf: Self.folder.appendingPathComponent(name))
            #expect(mine == theirs, "\(name) differs from what make_corpus.py writes now")
        }
    }

    /// The corpus files of a folder: the messages and expected.json.
    static func files(in folder: URL) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder.path)
            .filter { $0.hasSuffix(".eml") || $0 == "expected.json" }.sorted()
    }
}
