extension ScheduleInstaller {
    /// The systemd user service that runs `crm-desktop --home HOME sync --watch SECONDS` and restarts it on failure.
    public func unitText(everySeconds seconds: Int) -> String {
        let command = [executable, "--home", home, "sync", "--watch", String(seconds)]
        return """
            # Written by `crm-desktop schedule`; running it again replaces this file.
            [Unit]
            Description=CRM Desktop background sync
            After=network-online.target

            [Service]
            Type=simple
            ExecStart=\(command.map(Self.systemdQuoted).joined(separator: " "))
            Restart=on-failure
            RestartSec=30

            [Install]
            WantedBy=default.target

            """
    }

    /// `argument` as one word of a systemd command line: `%` and `$` doubled, and in double quotes with C escapes
    /// when it holds white space, quotes, backslashes or control characters.
    static func systemdQuoted(_ argument: String) -> String {
        var escaped = ""
        var needsQuotes = argument.isEmpty || argument == ";"
        for character in argument {
            switch character {
            case "%": escaped += "%%"
            case "$": escaped += "$$"
            case "\\": escaped += "\\\\"
            case "\"": escaped += "\\\""
            case "\n": escaped += "\\n"
            case "\r": escaped += "\\r"
            case "\t": escaped += "\\t"
            default: escaped.append(character)
            }
            if character.isWhitespace || character == "\"" || character == "'" || character == "\\" {
                needsQuotes = true
            }
        }
        return needsQuotes ? "\"\(escaped)\"" : escaped
    }
}
