/// The kinds of data file `from "file"` reads, named after their usual extensions.
public enum FileFormat: String, Sendable, CaseIterable {
    /// One JSON document: an array of objects, or a single object (one row).
    case json
    /// Newline-delimited JSON: one object per line (`.ndjson` or `.jsonl`).
    case ndjson
    /// RFC 4180 comma-separated values with a header row.
    case csv

    /// From the extension: .json, .ndjson / .jsonl, .csv (case-insensitive); nil otherwise.
    public init?(path: String) {
        guard let ext = FileFormat.fileExtension(of: path) else { return nil }
        switch ext.lowercased() {
        case "json": self = .json
        case "ndjson", "jsonl": self = .ndjson
        case "csv": self = .csv
        default: return nil
        }
    }

    /// The extensions that name a format, for error messages.
    static let knownExtensions = ".json, .ndjson, .jsonl or .csv"

    /// The text after the last dot of the last path component, or nil when there is none.
    static func fileExtension(of path: String) -> Substring? {
        let name = path.split(separator: "/", omittingEmptySubsequences: false).last ?? Substring(path)
        guard let dot = name.lastIndex(of: "."), name.index(after: dot) < name.endIndex else { return nil }
        return name[name.index(after: dot)...]
    }
}
