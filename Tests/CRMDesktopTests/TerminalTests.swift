import CRMDesktop
import Synchronization
import Testing

/// Everything a console or a progress bar wrote, stream by stream.
private final class Transcript: Sendable {
    private let parts = Mutex<[(text: String, stream: ConsoleSink.Stream)]>([])

    var sink: ConsoleSink {
        ConsoleSink { text, stream in self.parts.withLock { $0.append((text, stream)) } }
    }

    var output: String { text(of: .output) }
    var diagnostics: String { text(of: .diagnostics) }
    var writes: [String] { parts.withLock { $0.map(\.text) } }

    func record(_ text: String) {
        parts.withLock { $0.append((text, .diagnostics)) }
    }

    private func text(of stream: ConsoleSink.Stream) -> String {
        parts.withLock { $0.filter { $0.stream == stream }.map(\.text).joined() }
    }
}

/// A clock the test moves by hand.
private final class ManualClock: Sendable {
    private let seconds = Mutex(100.0)

    func now() -> Double { seconds.withLock { $0 } }
    func set(_ value: Double) { seconds.withLock { $0 = value } }
}

private func console(_ lines: [String], _ transcript: Transcript) -> Console {
    Console(input: .lines(lines), output: transcript.sink)
}

private let roles: [(key: String, label: String)] = [
    ("sales-rep", "Sales representative"), ("sales-manager", "Sales manager"), ("admin", "admin"),
]

@Suite struct TerminalTests {
    // MARK: Console

    @Test func askGivesTheDefaultForAnEmptyAnswerAndTrimsOtherAnswers() throws {
        let transcript = Transcript()
        let console = console(["", "  ann  ", ""], transcript)
        #expect(try console.ask("Server", default: "http://localhost:8080") == "http://localhost:8080")
        #expect(try console.ask("User", default: nil) == "ann")
        #expect(try console.ask("Team", default: nil) == "")
        #expect(transcript.diagnostics == "Server [http://localhost:8080]: User: Team: ")
        #expect(transcript.output == "")
        #expect(!console.isInteractive)
    }

    @Test func askFailsWithInvalidInputWhenTheInputEnds() {
        let console = console([], Transcript())
        let error = #expect(throws: DesktopError.self) { try console.ask("Server", default: "x") }
        #expect(error?.code == .invalidInput)
        #expect(error?.message.contains("Server") == true)
    }

    @Test func askSecretReadsTheLineAsItIsAndEndsThePromptLine() throws {
        let transcript = Transcript()
        #expect(try console([" s3cret pass "], transcript).askSecret("Password") == " s3cret pass ")
        #expect(transcript.diagnostics == "Password: \n")
        let error = #expect(throws: DesktopError.self) { try console([], Transcript()).askSecret("Password") }
        #expect(error?.code == .invalidInput)
    }

    @Test func chooseListsNumberedOptionsAndAcceptsANumberAKeyOrTheDefault() throws {
        let transcript = Transcript()
        let console = console(["2", "ADMIN", "", "sales-rep"], transcript)
        #expect(try console.choose("Role", options: roles, default: "sales-rep") == "sales-manager")
        #expect(try console.choose("Role", options: roles, default: "sales-rep") == "admin")
        #expect(try console.choose("Role", options: roles, default: "sales-rep") == "sales-rep")
        #expect(try console.choose("Role", options: roles, default: nil) == "sales-rep")
        let listing = """
              1) sales-rep      Sales representative
              2) sales-manager  Sales manager
              3) admin
            Role [sales-rep]: 
            """
        #expect(transcript.diagnostics.hasPrefix(listing))
        #expect(transcript.diagnostics.hasSuffix("Role: "))
    }

    @Test func chooseAsksAgainAfterAWrongAnswer() throws {
        let transcript = Transcript()
        let console = console(["7", "nobody", "", "0", "1"], transcript)
        #expect(try console.choose("Role", options: roles, default: nil) == "sales-rep")
        #expect(transcript.diagnostics.components(separatedBy: "is not one of the choices").count == 5)
        #expect(transcript.diagnostics.contains("\"7\" is not one of the choices: type a number from 1 to 3"))
    }

    @Test func chooseGivesUpAfterFiveWrongAnswersInARow() throws {
        let wrong = Array(repeating: "x", count: Console.reaskLimit)
        #expect(try console(wrong + ["3"], Transcript()).choose("Role", options: roles, default: nil) == "admin")
        let error = #expect(throws: DesktopError.self) {
            try console(wrong + ["x", "1"], Transcript()).choose("Role", options: roles, default: nil)
        }
        #expect(error?.code == .invalidInput)
        #expect(error?.message.contains("sales-rep, sales-manager, admin") == true)
    }

    @Test func confirmAcceptsYesNoAndTheDefaultAndAsksAgainOtherwise() throws {
        let transcript = Transcript()
        let console = console(["", "Y", "no", "maybe", "yes", ""], transcript)
        #expect(try console.confirm("Sync now?", default: true))
        #expect(try console.confirm("Sync now?", default: false))
        #expect(try !console.confirm("Sync now?", default: true))
        #expect(try console.confirm("Sync now?", default: false))
        #expect(try !console.confirm("Sync now?", default: false))
        #expect(transcript.diagnostics.hasPrefix("Sync now? [Y/n]: Sync now? [y/N]: "))
        #expect(transcript.diagnostics.contains("Please answer y or n."))
        #expect(throws: DesktopError.self) { try console.confirm("Sync now?", default: true) }
    }

    @Test func printLineWritesResultsToOutputAndNoteWritesToDiagnostics() {
        let transcript = Transcript()
        let console = console([], transcript)
        console.printLine("id,name")
        console.note("3 records")
        #expect(transcript.output == "id,name\n")
        #expect(transcript.diagnostics == "3 records\n")
    }

    // MARK: ProgressBar

    @Test func progressLineShowsBarCountRateAndTimeLeft() {
        let line = ProgressBar.render(done: 4_520, total: 11_000, elapsed: 4_520.0 / 3_950, width: 76)
        #expect(line == "Syncing  [#######...........]  4,520 / 11,000 records   3,950/s   0:02 left")
        #expect(line.count == 75)
    }

    @Test func progressLineBeforeAnythingIsDoneHasAnEmptyBarAndNoTimeLeft() {
        let line = ProgressBar.render(done: 0, total: 11_000, elapsed: 0, width: 80)
        #expect(line == "Syncing  [" + String(repeating: ".", count: 30) + "]  0 / 11,000 records   0/s   -:-- left")
        #expect(line.count < 80)
    }

    @Test func progressLineWhenAllIsDoneHasAFullBarAndNothingLeft() {
        let line = ProgressBar.render(done: 100_000, total: 100_000, elapsed: 2, width: 80)
        let bar = String(repeating: "#", count: 18)
        #expect(line == "Syncing  [\(bar)]  100,000 / 100,000 records   50,000/s   0:00 left")
    }

    @Test func progressLineWithAnUnknownTotalShowsOnlyCountAndRate() {
        let line = ProgressBar.render(done: 4_520, total: nil, elapsed: 4_520.0 / 3_950, width: 80)
        #expect(line == "Syncing  4,520 records   3,950/s")
    }

    @Test func progressLineDropsTheBarAndFitsANarrowTerminal() {
        let narrow = ProgressBar.render(done: 4_520, total: 11_000, elapsed: 1, width: 60)
        #expect(narrow == "Syncing  4,520 / 11,000 records   4,520/s   0:02 left")
        #expect(ProgressBar.render(done: 4_520, total: 11_000, elapsed: 1, width: 20).count == 19)
    }

    @Test func progressLongWaitsShowHours() {
        let line = ProgressBar.render(done: 1, total: 10_000, elapsed: 1, width: 80, label: "Loading", unit: "ops")
        #expect(line.hasPrefix("Loading  [."))
        #expect(line.hasSuffix("1 / 10,000 ops   1/s   2:46:39 left"))
    }

    @Test func progressBarRedrawsAtMostTenTimesASecondAndFinishEndsTheLine() {
        let transcript = Transcript()
        let clock = ManualClock()
        var bar = ProgressBar(
            total: 1_000, width: 80, write: { transcript.record($0) }, now: { clock.now() })
        for (time, done) in [(100.0, 10), (100.05, 20), (100.09, 30), (100.125, 40), (100.15, 50), (100.25, 60)] {
            clock.set(time)
            bar.update(done: done)
        }
        #expect(transcript.writes.count == 3)
        #expect(transcript.writes.allSatisfy { $0.hasPrefix("\rSyncing  [") && $0.hasSuffix("\u{1B}[K") })
        #expect(transcript.writes[1].contains("40 / 1,000 records   320/s"))
        bar.update(done: 1_000)
        bar.finish()
        bar.finish()
        bar.update(done: 5)
        #expect(transcript.writes.count == 5)
        #expect(transcript.writes[3].contains("1,000 / 1,000 records"))
        #expect(transcript.writes[4] == "\n")
        #expect(bar.done == 1_000)
    }

    // MARK: RecordTable

    @Test func tableAlignsColumnsCountingCharactersNotBytes() {
        let table = RecordTable(
            headers: ["Name", "City", "Stage"],
            rows: [["Zoë Müller", "København", "won"], ["李小龍", "東京", ""], ["🇩🇪 Team", "Berlin"]])
        let expected = """
            Name        City       Stage
            ----------  ---------  -----
            Zoë Müller  København  won
            李小龍         東京
            🇩🇪 Team      Berlin

            """
        #expect(table.table() == expected)
    }

    @Test func tableTruncatesLongCellsWithAnEllipsisAndFlattensLineBreaks() {
        let long = String(repeating: "é", count: 50)
        let table = RecordTable(headers: ["Note", "N"], rows: [[long, "1"], ["two\nlines\tand tab", "2"]])
        let lines = table.table().split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines[0] == "Note" + String(repeating: " ", count: 38) + "N")
        #expect(lines[1] == String(repeating: "-", count: 40) + "  -")
        #expect(lines[2] == String(repeating: "é", count: 39) + "…  1")
        #expect(lines[3] == "two lines and tab" + String(repeating: " ", count: 23) + "  2")
        #expect(lines.count == 5)
    }

    @Test func tableWithNoRowsIsItsHeaderAndUnderline() {
        #expect(RecordTable(headers: ["id", "name"], rows: []).table() == "id  name\n--  ----\n")
    }

    @Test func csvQuotesCommasQuotesAndLineBreaksAndEndsLinesWithCRLF() {
        let table = RecordTable(
            headers: ["name", "note"],
            rows: [
                ["Smith, Ann", "said \"hi\""], ["plain", "line one\nline two"], ["Zoë", "cr\r"], ["", "long row", "x"],
            ])
        let expected = "name,note\r\n" + "\"Smith, Ann\",\"said \"\"hi\"\"\"\r\n" + "plain,\"line one\nline two\"\r\n"
            + "Zoë,\"cr\r\"\r\n" + ",long row\r\n"
        #expect(table.csv() == expected)
    }

    @Test func outputFormatsAreTableJSONAndCSV() {
        #expect(OutputFormat.allCases.map(\.rawValue) == ["table", "json", "csv"])
        #expect(OutputFormat(rawValue: "csv") == .csv)
    }
}
