import MQCore
import MQPlanner
import MQSyntax

/// Folds rows into groups batch by batch, so `count` and `summarize` hold one accumulator
/// per group instead of every row.
///
/// Past three quarters of `memoryLimit` (`--memory-limit`), the groups so far are written
/// to a temporary file in key order with their accumulators' states (`GroupRuns`), and
/// the next rows start an empty table; at the end the runs are merged by key and a key's
/// states folded together in the order their rows came (`GroupMerge`).
final class GroupFold {
    let by: [Expr]
    let aggs: [Projection]
    let eval: Evaluator
    private var index: [GroupKey: Int] = [:]
    private(set) var keys: [[Value]] = []
    private(set) var counts: [Int] = []
    /// The number of each group's first row, which orders groups whose keys sort as equal.
    private(set) var firstRows: [Int] = []
    /// Group g's accumulator of aggregate a is `accumulators[g * aggs.count + a]`.
    private(set) var accumulators: [Accumulator] = []
    /// Per aggregate: its kind and the argument it folds (none for count()).
    let folded: [(kind: Accumulator.Kind, argument: Expr?)?]
    let memoryLimit: Int
    /// Rows added so far.
    private var rowsSeen = 0
    /// What the table holds, estimated as it grows.
    private var held = 0
    /// Runs written to temporary files (empty while the groups fit).
    private(set) var runs = GroupRuns()

    init(by: [Expr], aggs: [Projection], eval: Evaluator, memoryLimit: Int = .max) {
        self.by = by
        self.aggs = aggs
        self.eval = eval
        self.memoryLimit = memoryLimit
        folded = aggs.map { p in
            guard case .call(let f, let args) = p.expr.kind, let kind = Accumulator.Kind(rawValue: f) else { return nil }
            return (kind, args.first)
        }
    }

    /// The kind of each accumulator a group holds.
    var kinds: [Accumulator.Kind] { folded.map { $0?.kind ?? .count } }

    func add(_ rows: [JSONObject]) {
        // The table is moved into locals for the batch and back after: a class's stored
        // arrays, mutated row by row, cost an exclusivity check and a uniqueness check
        // per access (18 calls a row, with the retains, in `summarize` by two keys).
        var index = self.index, keys = self.keys, counts = self.counts
        var firstRows = self.firstRows, accumulators = self.accumulators
        self.index = [:]
        self.keys = []
        self.counts = []
        self.firstRows = []
        self.accumulators = []
        var held = self.held, rowsSeen = self.rowsSeen
        defer {
            self.index = index
            self.keys = keys
            self.counts = counts
            self.firstRows = firstRows
            self.accumulators = accumulators
            self.held = held
            self.rowsSeen = rowsSeen
        }
        let by = self.by, eval = self.eval, width = aggs.count
        var keyReadings = by.map(RowReading.init)
        // The aggregates that fold an argument, with their places in a group's accumulators.
        let slots = folded.indices.filter { folded[$0]?.argument != nil }
        var arguments = slots.map { RowReading(folded[$0]!.argument!) }
        for row in rows {
            let text = GroupKey(&keyReadings, row, eval)
            let g: Int
            if let i = index[text] {
                g = i
            } else {
                g = keys.count
                index[text] = g
                let key = by.map { eval.eval($0, row) }
                keys.append(key)
                counts.append(0)
                firstRows.append(rowsSeen)
                for f in folded { accumulators.append(Accumulator(f?.kind ?? .count)) }
                held += GroupFold.groupBytes(key, aggs: width)
            }
            rowsSeen += 1
            counts[g] += 1
            let base = g * width
            for k in slots.indices {
                let v = arguments[k].value(row, eval)
                if !v.isNull { held += accumulators[base + slots[k]].add(v) }
            }
        }
    }

    /// Spills the table once it holds more than three quarters of the limit (the rest is
    /// for ordering and writing it).
    func spillIfFull() throws {
        if held > memoryLimit / 4 * 3 { try spill() }
    }

    /// A new group's bytes, as measured (`count by phone` over 900,000 phones): its key
    /// twice (the values with their array, and the hashed key in the index's table at
    /// its load), the index entry, its count and first row with their arrays' growth,
    /// and its accumulators.
    static func groupBytes(_ key: [Value], aggs: Int) -> Int {
        let values = key.reduce(0) { $0 + ExternalSort.footprint(of: $1) }
        return 2 * values + 56 * key.count + 200 + aggs * MemoryLayout<Accumulator>.stride * 3 / 2
    }

    /// Writes the groups so far as one run and empties the table.
    func spill() throws {
        let canonical = keys.map(GroupFold.canonical)
        try runs.write(self, canonical: canonical, order: GroupFold.order(canonical, keys: by.count))
        index = [:]
        keys = []
        counts = []
        firstRows = []
        accumulators = []
        held = 0
    }

    /// Whether the groups went to temporary files: they are then read back through
    /// `merged()`, not from `keys` and `counts`.
    var spilled: Bool { !runs.files.isEmpty }

    /// The groups of every run, in key order, each key's states folded together. The
    /// groups still in memory are written as the last run first.
    func merged() throws -> GroupMerge {
        if !keys.isEmpty { try spill() }
        return try GroupMerge(runs, kinds: kinds, keyCount: by.count, memoryLimit: memoryLimit)
    }

    /// Groups in the order of their key values (nulls last; `keyOrder`), ties in the
    /// order the groups were made: `SortColumns` over the canonical keys.
    func orderedGroups() throws -> [Int] { try GroupFold.order(keys.map(GroupFold.canonical), keys: by.count) }

    /// The order of groups by their canonical keys, `keys` values each.
    static func order(_ canonical: [[Value]], keys: Int) throws -> [Int] {
        guard keys > 0, canonical.count > 1 else { return Array(canonical.indices) }
        let columns = (0..<keys).map { k in canonical.map { $0[k] } }
        return try SortColumns(columns, descending: Array(repeating: false, count: keys)).order()
    }

    /// A key as groups are ordered by it: an array or object as `=` sees it (members by
    /// name, 10.0 as 10), so that two keys that are one group always sort as equal, as a
    /// spilled fold's merge needs; other values as they are.
    static func canonical(_ key: [Value]) -> [Value] { key.map(canonical) }

    static func canonical(_ v: Value) -> Value {
        switch v {
        case .array, .object: return Value(KeyValue(v).json)
        default: return v
        }
    }

    /// `Compare.sortOrder`, key by key, over `canonical` keys.
    static func keyOrder(_ a: [Value], _ b: [Value]) -> Int {
        for (x, y) in zip(a, b) {
            let o = Compare.sortOrder(x, y)
            if o != 0 { return o }
        }
        return 0
    }

    /// The rows of `summarize`, made a batch at a time as they are pulled.
    func summarized() throws -> RowStream {
        // With no `by`, one row even over no input (count 0), as SQL does.
        if by.isEmpty && keys.isEmpty {
            keys.append([])
            counts.append(0)
            firstRows.append(0)
            for f in folded { accumulators.append(Accumulator(f?.kind ?? .count)) }
        }
        let extras = self.extras
        let n = aggs.count
        let order = try orderedGroups()
        return IndexedRowStream(order.count) { [self] i in
            let g = order[i]
            return summaryRow(keys[g], counts[g], accumulators[(g * n)..<(g * n + n)], extras)
        }
    }

    /// Arguments after the first are constants (`percentile(x, 90)`'s 90).
    var extras: [[Value]] {
        aggs.map { p -> [Value] in
            guard case .call(_, let args) = p.expr.kind else { return [] }
            return args.dropFirst().map { eval.eval($0, JSONObject()) }
        }
    }

    /// One group's row of `summarize`.
    func summaryRow(_ key: [Value], _ count: Int, _ accumulators: ArraySlice<Accumulator>, _ extras: [[Value]]) -> JSONObject {
        var out = JSONObject()
        for (e, v) in zip(by, key) { out[Planner.columnName(e)] = v.json }
        let base = accumulators.startIndex
        for (a, p) in aggs.enumerated() {
            guard case .call = p.expr.kind else { continue }
            let value: Value
            if let f = folded[a] {
                // count() counts rows; count(x) the rows where x is not null (its fold).
                value = f.argument == nil && f.kind == .count ? .int(count) : accumulators[base + a].result(extras[a])
            } else {
                value = .null
            }
            out[p.name ?? Planner.columnName(p.expr)] = value.json
        }
        return out
    }

    /// One group's row of `count by` (and `top`).
    func countRow(_ key: [Value], _ count: Int) -> JSONObject {
        var out = JSONObject()
        for (e, v) in zip(by, key) { out[Planner.columnName(e)] = v.json }
        out["count"] = .int(count)
        return out
    }

    /// One group's row of `distinct`.
    func distinctRow(_ key: [Value]) -> JSONObject {
        JSONObject(pairs: zip(by, key).map { (Planner.columnName($0), $1.json) })
    }
}

/// A group's key as `=` compares it (`KeyValue`), without an array for one or two keys:
/// the two arrays a row cost (its values, then their keys) were most of `count by`'s time.
enum GroupKey: Hashable {
    case none
    case one(KeyValue)
    case two(KeyValue, KeyValue)
    case many([KeyValue])

    @inline(__always)
    init(_ by: inout [RowReading], _ row: JSONObject, _ eval: Evaluator) {
        switch by.count {
        case 0: self = .none
        case 1: self = .one(KeyValue(by[0].value(row, eval)))
        case 2: self = .two(KeyValue(by[0].value(row, eval)), KeyValue(by[1].value(row, eval)))
        default: self = .many(by.indices.map { KeyValue(by[$0].value(row, eval)) })
        }
    }
}

/// summarize, count, distinct and top.
enum Aggregation {
    /// One aggregate over a group's non-null argument values.
    static func aggregate(_ f: String, _ values: [Value], count: Int, hasArgument: Bool = false, extra: [Value] = []) -> Value {
        // count() counts rows; count(x) the rows where x is not null (its fold).
        if f == "count", !hasArgument { return .int(count) }
        return folds[f]?(values, extra) ?? .null
    }

    /// Each aggregate of `FunctionSpec.all`, by name, over a group's non-null values, through
    /// its `Accumulator`; a test checks every spec has one.
    /// `extra`: the constant arguments after the first (`percentile`'s P).
    static let folds: [String: @Sendable (_ values: [Value], _ extra: [Value]) -> Value] = Dictionary(
        uniqueKeysWithValues: Accumulator.Kind.allCases.map { kind in
            (kind.rawValue, { @Sendable values, extra in
                var a = Accumulator(kind)
                for v in values { a.add(v) }
                return a.result(extra)
            })
        })

    /// `count` (one row), or `count by F…`: a row per group, most frequent first.
    static func counted(_ fold: GroupFold) throws -> [JSONObject] {
        if fold.by.isEmpty { return [JSONObject(pairs: [("count", .int(fold.counts.first ?? 0))])] }
        return try countOrder(fold).map { g in fold.countRow(fold.keys[g], fold.counts[g]) }
    }

    /// `count by`'s order: most frequent first, ties in key order.
    static func countOrder(_ fold: GroupFold) throws -> [Int] {
        let counts = fold.counts
        return try fold.orderedGroups().enumerated().sorted { a, b in
            counts[a.element] != counts[b.element] ? counts[a.element] > counts[b.element] : a.offset < b.offset
        }.map(\.element)
    }

    static func count(_ rows: [JSONObject], by: [Expr], _ eval: Evaluator) throws -> [JSONObject] {
        let fold = GroupFold(by: by, aggs: [], eval: eval)
        fold.add(rows)
        return try counted(fold)
    }

    /// The `n` most frequent values with their counts (ties by value): `count by`'s
    /// order, cut at n.
    static func top(_ fold: GroupFold, _ n: Int) throws -> [JSONObject] {
        try countOrder(fold).prefix(n).map { g in fold.countRow(fold.keys[g], fold.counts[g]) }
    }
}
