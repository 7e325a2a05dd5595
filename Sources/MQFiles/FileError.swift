#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A problem with a data file, worded for a person: which file, which line, what is wrong.
///
/// `description` reads like a compiler diagnostic, `path:line:column: message`, with the
/// parts that are not known left out: `crm.csv:17: 5 fields, but the header has 4`.
public struct FileError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The path as the caller gave it.
    public var path: String
    /// 1-based line of the problem, when known. For CSV, the line where the record starts.
    public var line: Int?
    /// 1-based column in characters (not bytes), when known.
    public var column: Int?
    /// What is wrong, without the location.
    public var message: String

    public init(path: String, line: Int? = nil, column: Int? = nil, message: String) {
        self.path = path
        self.line = line
        self.column = column
        self.message = message
    }

    public var description: String {
        var s = path
        if let line {
            s += ":\(line)"
            if let column { s += ":\(column)" }
        }
        return s + ": " + message
    }
}

extension FileError {
    static func unknownFormat(_ path: String) -> FileError {
        let what = FileFormat.fileExtension(of: path).map { "unknown file type '.\($0)'" } ?? "no file extension"
        return FileError(path: path, message: "\(what); the formats read are \(FileFormat.knownExtensions)")
    }

    /// An OS error from open(2) or read(2), worded by strerror.
    static func system(_ path: String, errno code: Int32) -> FileError {
        FileError(path: path, message: String(cString: strerror(code)))
    }
}
