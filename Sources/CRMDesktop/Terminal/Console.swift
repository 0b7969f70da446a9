#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// The user's terminal: questions, secrets, choices and confirmations, so the first run assistant and the record
/// commands never touch standard input or output themselves and tests can answer for the user.
///
/// Prompts and notes go to standard error and results to standard output, so a command's output can be piped.
/// Every question fails with `DesktopError.Code.invalidInput` when the input ends before it is answered, rather
/// than waiting forever or guessing.
public struct Console: Sendable {
    /// How many times `choose` and `confirm` ask again after a wrong answer before they give up.
    public static let reaskLimit = 5

    /// Whether a person is there to answer: standard input and standard error are both terminals.
    public let isInteractive: Bool
    /// Where answers come from.
    public let input: LineSource
    /// Where prompts, notes and results go.
    public let output: ConsoleSink

    /// The process's own terminal: standard input, standard output and standard error.
    public init() {
        self.init(input: .standardInput, output: .standard, isInteractive: isatty(0) == 1 && isatty(2) == 1)
    }

    /// A console on the given input and output (tests, scripted runs); `isInteractive` is what it claims.
    public init(input: LineSource, output: ConsoleSink, isInteractive: Bool = false) {
        self.input = input
        self.output = output
        self.isInteractive = isInteractive
    }

    /// Asks `question`, showing `default` in brackets; an empty answer gives the default (or "" without one).
    public func ask(_ question: String, default defaultAnswer: String?) throws -> String {
        output.write(prompt(question, hint: defaultAnswer), to: .diagnostics)
        let answer = try readAnswer(to: question).trimmingCharacters(in: .whitespaces)
        return answer.isEmpty ? (defaultAnswer ?? "") : answer
    }

    /// Asks for a password without echoing it when the input is a terminal; the echo is restored on every path.
    public func askSecret(_ question: String) throws -> String {
        output.write("\(question): ", to: .diagnostics)
        defer { output.write("\n", to: .diagnostics) }
        return try withEchoOff { try readAnswer(to: question, endLine: false) }
    }

    /// Offers numbered `options` and returns the key chosen by number or by key (letter case aside).
    ///
    /// An empty answer gives `default` when it is one of the keys. A wrong answer is explained and the question
    /// asked again, at most `reaskLimit` times.
    public func choose(
        _ question: String, options: [(key: String, label: String)], default defaultKey: String?
    ) throws -> String {
        precondition(!options.isEmpty, "choose needs at least one option")
        let defaultKey = options.contains { $0.key == defaultKey } ? defaultKey : nil
        let keyWidth = options.map(\.key.count).max() ?? 0
        for (index, option) in options.enumerated() {
            let label = option.label.isEmpty || option.label == option.key ? "" : "  \(option.label)"
            var key = option.key
            if !label.isEmpty { key += String(repeating: " ", count: keyWidth - key.count) }
            output.write("  \(index + 1)) \(key)\(label)\n", to: .diagnostics)
        }
        for _ in 0...Self.reaskLimit {
            output.write(prompt(question, hint: defaultKey), to: .diagnostics)
            let answer = try readAnswer(to: question).trimmingCharacters(in: .whitespaces)
            if answer.isEmpty, let defaultKey { return defaultKey }
            if let key = Self.match(answer, in: options.map(\.key)) { return key }
            note("\"\(answer)\" is not one of the choices: type a number from 1 to \(options.count) or a name.")
        }
        let keys = options.map(\.key).joined(separator: ", ")
        throw DesktopError(.invalidInput, "No valid answer to \"\(question)\"; the choices are: \(keys).")
    }

    /// Asks a yes or no question; an empty answer gives `default`, anything but y, yes, n or no is asked again.
    public func confirm(_ question: String, default defaultAnswer: Bool) throws -> Bool {
        for _ in 0...Self.reaskLimit {
            output.write("\(question) [\(defaultAnswer ? "Y/n" : "y/N")]: ", to: .diagnostics)
            switch try readAnswer(to: question).trimmingCharacters(in: .whitespaces).lowercased() {
            case "": return defaultAnswer
            case "y", "yes": return true
            case "n", "no": return false
            default: note("Please answer y or n.")
            }
        }
        throw DesktopError(.invalidInput, "No valid answer to \"\(question)\"; answer y or n.")
    }

    /// Writes one line of results to standard output.
    public func printLine(_ text: String) {
        output.write("\(text)\n", to: .output)
    }

    /// Writes one line for the person at the terminal to standard error (progress, hints, warnings).
    public func note(_ text: String) {
        output.write("\(text)\n", to: .diagnostics)
    }

    private func prompt(_ question: String, hint: String?) -> String {
        guard let hint, !hint.isEmpty else { return "\(question): " }
        return "\(question) [\(hint)]: "
    }

    private func readAnswer(to question: String, endLine: Bool = true) throws -> String {
        guard let line = input.readLine() else {
            if endLine { output.write("\n", to: .diagnostics) }
            throw DesktopError(
                .invalidInput, "The input ended before \"\(question)\" was answered; give it as a flag instead.")
        }
        return line
    }

    /// Runs `body` with the input terminal's echo off, when the input is a terminal, and restores it afterwards.
    private func withEchoOff<Value>(_ body: () throws -> Value) throws -> Value {
        guard let fd = input.fileDescriptor, isatty(fd) == 1 else { return try body() }
        var saved = termios()
        guard tcgetattr(fd, &saved) == 0 else { return try body() }
        var silent = saved
        silent.c_lflag &= ~tcflag_t(ECHO)
        _ = tcsetattr(fd, TCSANOW, &silent)
        defer { _ = tcsetattr(fd, TCSANOW, &saved) }
        return try body()
    }

    /// The key `answer` names: a number from 1, the key itself, or the one key equal to it ignoring letter case.
    static func match(_ answer: String, in keys: [String]) -> String? {
        if let number = Int(answer), keys.indices.contains(number - 1) { return keys[number - 1] }
        if keys.contains(answer) { return answer }
        let folded = keys.filter { $0.lowercased() == answer.lowercased() }
        return folded.count == 1 ? folded[0] : nil
    }
}
