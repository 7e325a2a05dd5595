import MQCore
import MQPlanner
import MQSyntax

/// `pivot` and `describe`: stages that turn the rows they collect into other rows.
enum Reshape {
    /// Each distinct value of `key` becomes a column holding `value`; the fields besides
    /// the two are the rows' keys, in first-seen order, and the new columns in the order
    /// their values were first seen. Where several rows meet in one cell their values are
    /// summed; a cell no row meets is null. A value that names a key field is added as
    /// `NAME_pivot`, with a warning (names never collide silently).
    static func pivot(_ rows: [JSONObject], key: Expr, value: Expr, _ eval: Evaluator, warn: (String) -> Void) -> [JSONObject] {
        let keyName = Planner.columnName(key)
        let valueName = Planner.columnName(value)
        var groups: [KeyValue: Int] = [:]
        var bases: [JSONObject] = []
        var cells: [[String: [Value]]] = []
        var columns: [String] = []
        // A column per distinct key value, by `=`'s equality: `1` and `"1"` are two values
        // whose text is the same, so the second is added as `1_2` (and said), never merged.
        var columnOf: [KeyValue: String] = [:]
        var merged: [String] = []
        var taken = Set<String>()
        for row in rows {
            var base = row
            base[keyName] = nil
            base[valueName] = nil
            let g: Int
            if let i = groups[KeyValue(Value.object(base))] { g = i } else {
                g = bases.count
                groups[KeyValue(Value.object(base))] = g
                bases.append(base)
                cells.append([:])
            }
            let k = eval.eval(key, row)
            let column: String
            if let c = columnOf[KeyValue(k)] { column = c } else {
                let text = k.isNull ? "null" : k.text
                var name = text
                var n = 2
                while taken.contains(name) {
                    name = "\(text)_\(n)"
                    n += 1
                }
                if name != text { merged.append(text) }
                columnOf[KeyValue(k)] = name
                taken.insert(name)
                columns.append(name)
                column = name
            }
            cells[g][column, default: []].append(eval.eval(value, row))
        }
        if !merged.isEmpty {
            warn("pivot: values of different kinds print as \(merged.map { "`\($0)`" }.joined(separator: ", ")); "
                + "each has a column of its own (NAME_2, …)")
        }
        let keyFields = Set(bases.flatMap(\.keys))
        var renamed: [String] = []
        let names = columns.map { c -> String in
            guard keyFields.contains(c) else { return c }
            renamed.append(c)
            return c + "_pivot"
        }
        if !renamed.isEmpty {
            warn("pivot: \(renamed.map { "`\($0)`" }.joined(separator: ", ")) also name\(renamed.count == 1 ? "s" : "") a key field; "
                + "the column\(renamed.count == 1 ? " is" : "s are") added as NAME_pivot")
        }
        return bases.indices.map { g in
            var out = bases[g]
            for (c, name) in zip(columns, names) {
                let values = cells[g][c] ?? []
                out[name] = values.count == 1 ? values[0].json
                    : values.isEmpty ? .null : Aggregation.aggregate("sum", values.filter { !$0.isNull }, count: values.count).json
            }
            return out
        }
    }

    /// A row per field, in first-seen order: its kind, how many values and nulls, how many
    /// distinct values, the least and greatest (in sort order) and, for numbers, the mean.
    static func describe(_ rows: [JSONObject]) -> [JSONObject] {
        Session.columns(of: rows).map { field in
            let values = rows.map { Value($0[field] ?? .null) }.filter { !$0.isNull }
            let numbers = values.compactMap(\.number)
            var kinds = Set(values.map(kind))
            // Text that is all ISO dates is a date column.
            if kinds == ["text"], values.allSatisfy({ $0.instant != nil }) { kinds = ["date"] }
            let ordered = kinds.isDisjoint(with: ["list", "object"])
            return JSONObject(pairs: [
                ("field", .string(field)),
                ("kind", .string(kinds.count == 1 ? kinds.first! : kinds.isEmpty ? "null" : "mixed: " + kinds.sorted().joined(separator: ", "))),
                ("count", .int(values.count)), ("nulls", .int(rows.count - values.count)),
                ("distinct", .int(Set(values.map(KeyValue.init)).count)),
                // Lists and objects have no useful least or greatest.
                ("min", ordered ? (values.min { Compare.sortOrder($0, $1) < 0 } ?? .null).json : .null),
                ("max", ordered ? (values.max { Compare.sortOrder($0, $1) < 0 } ?? .null).json : .null),
                ("avg", numbers.count == values.count && !numbers.isEmpty ? .double(numbers.reduce(0, +) / Double(numbers.count)) : .null),
            ])
        }
    }

    static func kind(_ v: Value) -> String {
        switch v {
        case .null: "null"
        case .bool: "boolean"
        case .int, .double: "number"
        case .string: "text"
        case .date: "date"
        case .array: "list"
        case .object: "object"
        }
    }
}
