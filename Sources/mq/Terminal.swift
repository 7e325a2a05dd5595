import Foundation

/// How wide a table may be: the terminal's width; else COLUMNS; else no limit, so that
/// `mq … > report.txt` keeps every cell whole.
func terminalWidth(environment env: [String: String]) -> Int {
    if let columns = terminalColumns() { return columns }
    if let c = env["COLUMNS"].flatMap({ Int($0) }), c > 0 { return c }
    return 1 << 20
}

/// The width of the terminal on stdout, when stdout is one.
func terminalColumns() -> Int? {
    var w = winsize()
    if isatty(1) != 0, ioctl(1, UInt(TIOCGWINSZ), &w) == 0, w.ws_col > 0 { return Int(w.ws_col) }
    return nil
}
