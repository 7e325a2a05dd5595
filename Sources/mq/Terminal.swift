import Foundation

/// The size of the terminal mq writes to: tables fit its width, the pager starts when a
/// result is taller than it, and the progress line keeps to one row of it.
enum Terminal {
    /// The window of the terminal on `fd`, in character cells; nil when `fd` is not a
    /// terminal, or the terminal does not say (a size of 0).
    static func size(_ fd: Int32) -> (rows: Int?, columns: Int?)? {
        var w = winsize()
        guard ioctl(fd, UInt(TIOCGWINSZ), &w) == 0 else { return nil }
        return (w.ws_row > 0 ? Int(w.ws_row) : nil, w.ws_col > 0 ? Int(w.ws_col) : nil)
    }

    /// The width of the terminal on stdout, when stdout is one.
    static func columns() -> Int? {
        isatty(1) != 0 ? size(1)?.columns : nil
    }

    /// How wide a table may be: the terminal's width; else COLUMNS; else no limit, so that
    /// `mq … > report.txt` keeps every cell whole.
    static func width(environment env: [String: String]) -> Int {
        if let columns = columns() { return columns }
        if let c = env["COLUMNS"].flatMap({ Int($0) }), c > 0 { return c }
        return 1 << 20
    }
}
