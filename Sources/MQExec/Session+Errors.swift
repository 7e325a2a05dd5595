import Foundation
import MQCore
import MQFiles
import MQSyntax

/// How a failed statement is told on stderr. A `Diagnostic` is about the statement's
/// text and shows it with a caret; every other failure (the API's, a file's, a local
/// limit, Ctrl-C) has one shape, `FILE:LINE:COL: LABEL: MESSAGE` and then `  hint: …`
/// lines, and its exit status from cli.md. One place, so that a script's reader can
/// tell which statement failed, whatever failed it.
struct FailureReport {
    /// `error`, `API error`, `network error`, `interrupted`.
    let label: String
    let message: String
    /// Lines under the message, indented, before the hints.
    var details: [String] = []
    var hints: [String] = []
    let status: Int32

    init(label: String = "error", _ message: String, details: [String] = [], hints: [String] = [], status: Int32) {
        self.label = label
        self.message = message
        self.details = details
        self.hints = hints
        self.status = status
    }

    /// What a thrown error says and exits with; `baseDirectory` explains a relative path
    /// that is not there.
    init(_ error: any Error, baseDirectory: String) {
        switch error {
        case let e as APIError:
            let label = e.category == .network ? "network error" : e.category == .cancelled ? "interrupted" : "API error"
            self.init(label: label, "\(e)", status: e.exitStatus)
        case let e as FileError:
            let missing = e.line == nil && !e.path.hasPrefix("/") && access(baseDirectory + "/" + e.path, F_OK) != 0
            self.init("\(e)", hints: missing ? ["a relative path starts at \(baseDirectory)"] : [], status: 1)
        case is CancellationError:
            // Ctrl-C during local work (a long sort, a regular expression, a file read).
            self.init(label: "interrupted", "the statement was stopped", status: 130)
        case let e as ExecError:
            self.init(e.message, details: e.details, hints: e.hints, status: e.status)
        default:
            self.init("\(error)", status: 1)
        }
    }

    /// The report, anchored at the start of `span` in `source` (the statement's).
    func render(_ source: SourceText, at span: Span) -> String {
        let (line, col) = source.location(of: span.start)
        return "\(source.name):\(line):\(col): \(label): \(message)\n" + details.map { "  \($0)\n" }.joined()
            + hints.map { "  hint: \($0)\n" }.joined()
    }
}

extension Session {
    func report(_ d: Diagnostic, _ source: SourceText) {
        warn(d.render(source, color: settings.errorColor, width: settings.width))
    }

    /// Says why the statement at `span` failed; returns its exit status.
    func report(_ error: any Error, _ source: SourceText, at span: Span) -> Int32 {
        if let d = error as? Diagnostic {
            report(d, source)
            return 1
        }
        let failure = FailureReport(error, baseDirectory: baseDirectory)
        warn(failure.render(source, at: span))
        return failure.status
    }
}
