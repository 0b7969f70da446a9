import ArgumentParser
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Reads a password from standard input (`--password-stdin`) or from a terminal prompt without echo; never
/// from an argument, where other users could read it.
enum PasswordInput {
    static func read(fromStdin: Bool, prompt: String = "Password: ", confirm: Bool = false) throws -> String {
        if fromStdin {
            guard let line = readLine(strippingNewline: true), !line.isEmpty else {
                throw ValidationError("--password-stdin: standard input held no password")
            }
            return line
        }
        guard isatty(STDIN_FILENO) == 1 else {
            throw ValidationError("no terminal to ask for the password on: pass it with --password-stdin")
        }
        let password = try promptHidden(prompt)
        if confirm, try promptHidden("Again: ") != password {
            throw ValidationError("the two passwords differ")
        }
        return password
    }

    private static func promptHidden(_ prompt: String) throws -> String {
        FileHandle.standardError.write(Data(prompt.utf8))
        var saved = termios()
        tcgetattr(STDIN_FILENO, &saved)
        var silent = saved
        silent.c_lflag &= ~tcflag_t(ECHO)
        tcsetattr(STDIN_FILENO, TCSANOW, &silent)
        defer {
            tcsetattr(STDIN_FILENO, TCSANOW, &saved)
            FileHandle.standardError.write(Data("\n".utf8))
        }
        guard let line = readLine(strippingNewline: true) else { throw ValidationError("no password given") }
        return line
    }
}
