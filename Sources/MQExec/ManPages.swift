import MQCore
import MQSyntax

/// The manual pages, in roff (man(7) macros): `mq(1)` from the command line's options
/// and `mq-language(7)` from the tables `.help` reads (`HelpTopics`, `FunctionSpec`, the
/// meta commands), so a page cannot say other than `.help` does. `mq --generate-manual`
/// prints them; `scripts/install` and `scripts/package` install what it prints.
public enum ManPages {
    /// One option of `mq(1)`: its spellings (`-c`, `--format`), its value's name, its help.
    public struct Option: Sendable {
        public var names: [String]
        public var value: String?
        public var help: String
        public init(names: [String], value: String?, help: String) {
            self.names = names
            self.value = value
            self.help = help
        }
    }

    /// mq(1): synopsis, options, environment, files, exit status, examples.
    public static func command(version: String, options: [Option]) -> String {
        var out = header("MQ", 1, version: version, manual: "User Commands")
        out += ".SH NAME\nmq \\- a query shell for the Mosend Reports API\n"
        out += ".SH SYNOPSIS\n"
        for form in ["[\\fIoptions\\fR]", "[\\fIoptions\\fR] \\fB\\-c\\fR \\fIstatements\\fR",
                     "[\\fIoptions\\fR] \\fIscript.mq\\fR [\\fIargument\\fR ...]", "\\fB\\-\\-demo\\fR [\\fIoptions\\fR]"]
        {
            out += ".br\n\\fBmq\\fR \(form)\n"
        }
        out += ".SH DESCRIPTION\n"
        out += text("""
            mq runs statements of its query language (mq-language(7)) against the Mosend Reports API \
            and local .json, .ndjson and .csv files. A statement compiles to HTTP calls, with filters and \
            limits sent as query parameters and cursors followed, then filters, joins, sorts, groups and \
            formats locally. With no statements and a terminal, mq is an interactive shell with line \
            editing and completion; with standard input that is not a terminal, it reads statements from it.
            """)
        out += ".SH OPTIONS\n"
        for o in options {
            let spelled = o.names.map { "\\fB" + escape($0) + "\\fR" }.joined(separator: ", ")
            out += ".TP\n" + spelled + (o.value.map { " \\fI" + escape($0) + "\\fR" } ?? "") + "\n" + text(o.help)
        }
        out += ".SH ENVIRONMENT\n"
        for (name, meaning) in environment {
            out += ".TP\n\\fB\(name)\\fR\n" + text(meaning)
        }
        out += ".SH FILES\n"
        out += ".TP\n\\fI$XDG_CONFIG_HOME/mq/config.toml\\fR\n"
            + text("Profiles of base URL, org, key and settings (default `~/.config/mq/config.toml`); `--profile` picks one.")
        out += ".TP\n\\fI$XDG_STATE_HOME/mq/history\\fR\n" + text("The shell's history (default `~/.local/state/mq/history`).")
        out += ".SH EXIT STATUS\n"
        for (code, meaning) in exitStatuses {
            out += ".TP\n\\fB\(code)\\fR\n" + text(meaning)
        }
        out += ".SH EXAMPLES\n"
        out += example([
            "mq --demo",
            "mq --demo -c 'customers where category=billing since 2026-04 | count by resolutionOutcome'",
            "mq -c 'from \"export.csv\" | summarize n = count(), a = avg(csat) by category' --format csv",
            "echo 'summary | select contacts' | mq --demo",
            "mq report.mq 2026-04 --format markdown",
        ])
        out += ".SH SEE ALSO\nmq\\-language(7), jq(1), duckdb(1)\n"
        return out
    }

    /// mq-language(7): the sources, the stages, the functions and the meta commands, as
    /// `.help` gives them.
    public static func language(version: String) -> String {
        var out = header("MQ-LANGUAGE", 7, version: version, manual: "Miscellaneous Information Manual")
        out += ".SH NAME\nmq\\-language \\- the query language of mq(1)\n"
        out += ".SH DESCRIPTION\n"
        out += text("""
            A statement is a source and stages joined by `|`: \
            `customers where category=billing | sort -conversations | limit 5`. \
            Statements are separated by `;` or new lines; `let NAME = QUERY` keeps a result as `$NAME`. \
            Each topic below is also `.help TOPIC` in the shell, with the same text.
            """)
        out += ".SH SOURCES AND STAGES\n"
        for t in HelpTopics.all {
            out += ".SS \(escape(t.name))\n"
            out += ".B \"\(escape(t.synopsis).replacingOccurrences(of: "\"", with: "\\(dq"))\"\n.PP\n"
            out += text(t.text)
            if !t.examples.isEmpty { out += example(t.examples) }
        }
        out += ".SH FUNCTIONS\n"
        for spec in FunctionSpec.all {
            let t = HelpTopics.function(spec)
            out += ".TP\n\\fB" + escape(t.synopsis) + "\\fR\n" + text(t.text)
        }
        out += ".SH META COMMANDS\n"
        out += text("Lines that start with a dot change the session, not the data.")
        for c in MetaCommands.all {
            let names = (["." + c.name] + c.aliases.map { "." + $0 }).map(escape).joined(separator: ", ")
            out += ".TP\n\\fB" + names + "\\fR" + (c.arguments.isEmpty ? "" : " " + escape(c.arguments)) + "\n" + text(c.help)
        }
        out += ".SH SEE ALSO\nmq(1)\n"
        return out
    }

    static let environment: [(String, String)] = [
        ("MOSEND_BASE_URL", "The API's base URL (`--base-url`); default https://api.mosend.dev."),
        ("MOSEND_ORG", "The organization id (`--org`)."),
        ("MOSEND_API_KEY", "The API key, sent as X-Api-Key (`--api-key`)."),
        ("MOSEND_TOKEN", "A token, sent as Authorization: Bearer."),
        ("MQ_PROFILE", "The profile of the config file to use (`--profile`)."),
        ("MQ_CA_BUNDLE", "A PEM file of extra trusted certificate authorities (`--cacert`)."),
        ("NO_COLOR", "Plain output, as `--no-color`."),
        ("TMPDIR", "Where sorts, groups and joins past `--memory-limit` spill (files 0600, removed at once)."),
    ]

    static let exitStatuses: [(String, String)] = [
        ("0", "Success, and after `--help` or `--version`."),
        ("1", "A query error: syntax, an unknown field, a bad value."),
        ("2", "A usage error on the command line."),
        ("3", "An API error: HTTP 4xx, or 5xx and 429 after retries."),
        ("4", "A network error: connecting, TLS, a timeout; or libcurl could not be loaded."),
        ("130", "Interrupted (Ctrl-C)."),
    ]

    static func header(_ title: String, _ section: Int, version: String, manual: String) -> String {
        ".\\\" Generated by mq --generate-manual: edit Sources/MQExec/ManPages.swift and the .help tables, not this.\n"
            + ".TH \(title) \(section) \"\" \"mq \(escape(version))\" \"\(manual)\"\n"
    }

    /// A paragraph: `code` in bold, the rest escaped, one sentence a line.
    static func text(_ s: String) -> String {
        var out = ""
        var bold = false
        for ch in escape(s) {
            if ch == "`" {
                out += bold ? "\\fR" : "\\fB"
                bold.toggle()
            } else {
                out.append(ch)
            }
        }
        if bold { out += "\\fR" }
        // A line that starts with a dot or a quote would be read as a request.
        let lines = out.replacingOccurrences(of: ". ", with: ".\n").split(separator: "\n", omittingEmptySubsequences: true)
        return lines.map { l in (l.first == "." || l.first == "'" ? "\\&" : "") + l }.joined(separator: "\n") + "\n"
    }

    /// Statements as typed, unfilled and indented.
    static func example(_ lines: [String]) -> String {
        ".PP\n.RS 4\n.nf\n" + lines.map { l in
            let e = escape(l)
            return (e.first == "." || e.first == "'" ? "\\&" : "") + e
        }.joined(separator: "\n") + "\n.fi\n.RE\n"
    }

    /// Backslashes and hyphens as roff reads them, and each character past ASCII as its
    /// code point (`\[u00E9]`), which groff reads whatever the input encoding it assumes.
    static func escape(_ s: String) -> String {
        var out = ""
        for u in s.unicodeScalars {
            switch u {
            case "\\": out += "\\e"
            case "-": out += "\\-"
            case _ where u.value > 0x7F:
                let hex = String(u.value, radix: 16, uppercase: true)
                out += "\\[u" + String(repeating: "0", count: Swift.max(0, 4 - hex.count)) + hex + "]"
            default: out.unicodeScalars.append(u)
            }
        }
        return out
    }
}
