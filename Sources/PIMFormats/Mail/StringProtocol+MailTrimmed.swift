extension StringProtocol {
    /// The text without leading and trailing spaces, tabs and line breaks.
    func mailTrimmed() -> String {
        var slice = Substring(self)
        while let first = slice.first, first.isWhitespace { slice.removeFirst() }
        while let last = slice.last, last.isWhitespace { slice.removeLast() }
        return String(slice)
    }
}
