import MQCore
import MQFiles
import MQSyntax

/// `.inspect from "f.csv"`: a file's columns and the kind each is read as (language.md
/// v2: "`.inspect from "f.csv"` shows the kinds chosen"), so an analyst can see that a zip
/// column is text before comparing it with a number. CSV columns have one kind each
/// (`CSVKind`); a JSON or NDJSON field may hold several, and all are listed.
enum FileInspection {
    static func describe(_ args: String, baseDirectory: String) throws -> String {
        let usage = ExecError("`.inspect from` takes a file: .inspect from \"crm.csv\"")
        // The span of a mistake here is inside the meta command's arguments, not the
        // line: it is said without a caret.
        guard let statement = try? Parser.parseStatement(args) else { throw usage }
        guard case .query(let q) = statement.kind, case .file(let path) = q.source.kind, q.stages.isEmpty, q.clauses.isEmpty else {
            throw usage
        }
        let full = Executor.resolvePath(path, baseDirectory: baseDirectory)
        let reader: RowReader
        do {
            reader = try RowReader(path: full)
        } catch {
            var e = error
            e.path = path
            throw e
        }
        var rows = 0
        var order: [String] = []
        var kinds: [String: [String: Int]] = [:]
        var nulls: [String: Int] = [:]
        do {
            while let batch = try reader.next(max: 4096) {
                for row in batch {
                    rows += 1
                    for (k, v) in row {
                        if kinds[k] == nil {
                            order.append(k)
                            kinds[k] = [:]
                        }
                        if v.isNull { nulls[k, default: 0] += 1 } else { kinds[k]![kind(of: v), default: 0] += 1 }
                    }
                }
            }
        } catch {
            var e = error
            e.path = path
            throw e
        }
        var out = "from \"\(path)\": \(reader.format.rawValue.uppercased()), \(rows) row\(rows == 1 ? "" : "s")\n"
        let csv = Dictionary(reader.columnKinds.map { ($0.name, $0.kind) }, uniquingKeysWith: { a, _ in a })
        if reader.format == .csv { order = reader.columnKinds.map(\.name) }
        let width = order.map(\.count).max() ?? 0
        for name in order {
            var text: String
            if let k = csv[name] {
                text = k.rawValue
            } else {
                let seen = (kinds[name] ?? [:]).sorted { $0.value > $1.value }.map(\.key)
                text = seen.isEmpty ? "empty" : seen.joined(separator: " or ")
            }
            let n = nulls[name] ?? 0
            let missing = rows - n - (kinds[name]?.values.reduce(0, +) ?? 0)
            if n > 0 { text += ", \(n) null" }
            if missing > 0 { text += ", missing in \(missing)" }
            out += "  " + name + String(repeating: " ", count: width - name.count) + "  " + text + "\n"
        }
        if reader.format == .csv {
            out += "  (a CSV column is a number only if every non-empty cell is one: 007, +44… and 08123 keep it text)\n"
        }
        return out
    }

    static func kind(of v: JSON) -> String {
        switch v {
        case .null: return "null"
        case .bool: return "boolean"
        case .int, .double: return "number"
        case .string(let s): return Instant.parseISO8601(s) != nil && s.count >= 10 ? "date" : "text"
        case .array: return "array"
        case .object: return "object"
        }
    }
}
