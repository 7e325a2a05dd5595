/// The output formats, named as the user types them: the one list that the parser,
/// `--format`, `.format`, `save`'s extensions, the usage text and the renderers
/// (MQFormat's `makeRenderer`) all derive from.
public enum OutputFormat: String, CaseIterable, Sendable {
    case table, vertical, csv, tsv, json, ndjson, markdown

    /// The names, in order, joined: "table, vertical, csv, …".
    public static func names(separator: String) -> String { allCases.map(\.rawValue).joined(separator: separator) }

    /// The format `save "path"` writes for a file extension (lower case, without the dot).
    public init?(fileExtension ext: String) {
        switch ext {
        case "csv": self = .csv
        case "tsv": self = .tsv
        case "json": self = .json
        case "ndjson", "jsonl": self = .ndjson
        case "md": self = .markdown
        case "txt": self = .table
        default: return nil
        }
    }
}
