import MQCore
import MQPlanner
import MQSyntax

/// Window functions: each call's value for each row, from its partition (`by`) in its
/// order (`sort`, ties in input order), written into the row's field `name`. The rows
/// keep their order.
enum WindowFunctions {
    /// The functions of `FunctionSpec` that need `over`; the aggregates with `over` go
    /// through `Accumulator` (a test checks both against the table).
    static let names: Set<String> = ["row_number", "rank", "dense_rank", "lag", "lead"]
}

/// The window stage, one way in memory and past `--memory-limit`:
/// - the rows are held in an `ExternalSort` with no keys (a row store that spills);
/// - for each call, in turn (a call sees the fields the calls before it made), a record
///   per row (its partition key, its sort values, its row number and the call's
///   argument) is ordered by partition, then sort values, then row number, through a
///   second `ExternalSort`;
/// - `WindowPartition` reads each partition's records in that order and gives each row
///   its value; the values are put back in row order (an array, or when the rows spilled
///   a third sort, by row number) and written into the rows on the next pass.
///
/// Partitions are ordered by their canonical keys (`GroupFold.canonical`); keys that
/// sort as equal but are not one key under `=` (`1` and `"1"`) are kept apart by
/// `KeyValue` within their tie.
final class WindowStream: RowStream {
    let upstream: RowStream
    let calls: [WindowCall]
    let eval: Evaluator
    let state: ExecutionState
    let memoryLimit: Int
    private var output: (rows: SortedRecords, values: RowValues, name: String)?
    /// Whether the rows were written to temporary files (for tests).
    private(set) var spilled = false

    init(_ upstream: RowStream, _ calls: [WindowCall], eval: Evaluator, state: ExecutionState, memoryLimit: Int) {
        precondition(!calls.isEmpty, "a window stage has a call")
        self.upstream = upstream
        self.calls = calls
        self.eval = eval
        self.state = state
        self.memoryLimit = memoryLimit
    }

    func next() async throws -> [JSONObject]? {
        if output == nil { output = try await prepare() }
        var batch: [JSONObject] = []
        while batch.count < 1024, var row = try output!.rows.nextRecord()?.row {
            row[output!.name] = try output!.values.next().json
            batch.append(row)
        }
        try eval.check()
        return batch.isEmpty ? nil : batch
    }

    private func prepare() async throws -> (rows: SortedRecords, values: RowValues, name: String) {
        let store = ExternalSort(descending: [], memoryLimit: memoryLimit / 2)
        var count = 0
        while let batch = try await upstream.next() {
            for row in batch { store.add(row, []) }
            count += batch.count
            try eval.check()
            try store.spillIfFull()
        }
        try state.checkComplete("window")
        spilled = store.runsWritten > 0
        var rows = try store.finish()
        var previous: (values: RowValues, name: String)?
        for call in calls {
            let records = ExternalSort(descending: WindowStream.descending(call), memoryLimit: memoryLimit / 4)
            // The rows are read once per call; when they are in memory and nothing is to
            // be written into them, they are read again rather than copied.
            var reading = rows
            let copy: ExternalSort? = previous == nil && !spilled ? nil : ExternalSort(descending: [], memoryLimit: memoryLimit / 2)
            var seq = 0
            while let record = try reading.nextRecord() {
                var row = record.row
                if let p = previous { row[p.name] = try p.values.next().json }
                records.add(JSONObject(), WindowStream.record(call, row, seq, eval))
                copy?.add(row, [])
                seq += 1
                if seq & 1023 == 0 {
                    try eval.check()
                    try records.spillIfFull()
                    try copy?.spillIfFull()
                }
            }
            if let copy {
                spilled = spilled || copy.runsWritten > 0
                rows = try copy.finish()
            }
            let values = spilled ? RowValues(sortingWithin: memoryLimit / 4) : RowValues(count: count)
            var ordered = try records.finish()
            try WindowStream.compute(call, &ordered, into: values, eval)
            previous = (values, call.name)
            try values.finishWriting()
        }
        return (rows, previous!.values, previous!.name)
    }

    /// A record's key order: the partition keys, the call's sort keys, the row number
    /// (ties in input order), then the argument (never reached: row numbers differ).
    static func descending(_ call: WindowCall) -> [Bool] {
        call.window.by.map { _ in false } + call.window.sort.map(\.descending) + [false, false]
    }

    static func record(_ call: WindowCall, _ row: JSONObject, _ seq: Int, _ eval: Evaluator) -> [Value] {
        var keys = call.window.by.map { GroupFold.canonical(eval.eval($0, row)) }
        for k in call.window.sort { keys.append(eval.eval(k.expr, row)) }
        keys.append(.int(seq))
        keys.append(call.args.first.map { eval.eval($0, row) } ?? .null)
        return keys
    }

    /// Runs the ordered records through one `WindowPartition` per partition.
    static func compute(_ call: WindowCall, _ ordered: inout SortedRecords, into values: RowValues, _ eval: Evaluator) throws {
        let by = call.window.by.count
        let sorts = call.window.sort.count
        let template = try WindowPartition(call, eval)
        // The partitions of the current tie of partition keys, by their exact keys.
        var tie: [(key: [KeyValue], partition: WindowPartition)] = []
        var tieKey: [Value] = []
        func finishTie() throws {
            for i in tie.indices { try tie[i].partition.finish(values.set) }
            tie.removeAll(keepingCapacity: true)
        }
        var n = 0
        while let (keys, _) = try ordered.nextRecord() {
            let partitionKey = Array(keys[0..<by])
            if tie.isEmpty || GroupFold.keyOrder(partitionKey, tieKey) != 0 || nullness(partitionKey) != nullness(tieKey) {
                try finishTie()
                tieKey = partitionKey
            }
            let exact = partitionKey.map(KeyValue.init)
            let at: Int
            if let i = tie.firstIndex(where: { $0.key == exact }) { at = i } else {
                tie.append((exact, template))
                at = tie.count - 1
            }
            guard case .int(let seq) = keys[by + sorts] else { preconditionFailure("a window record's row number") }
            try tie[at].partition.add(seq, Array(keys[by..<(by + sorts)]), keys[by + sorts + 1], values.set)
            n += 1
            if n & 4095 == 0 { try eval.check() }
        }
        try finishTie()
    }

    private static func nullness(_ key: [Value]) -> [Bool] { key.map(\.isNull) }
}

/// One partition's rows, read in the window's order: each gets its value from the rows
/// before it (or, for an aggregate, from its peers or the whole partition too).
struct WindowPartition {
    let function: String
    let kind: Accumulator.Kind?
    let hasArgument: Bool
    let descending: [Bool]
    let extra: [Value]
    /// lag/lead: the row whose argument a row takes, this many rows on (negative: back).
    let step: Int
    private var rows = 0
    private var previous: [Value] = []
    private var rank = 0
    private var dense = 0
    private var accumulator: Accumulator
    /// Row numbers still waiting for their value (a peer group, the whole partition, the
    /// rows `lead` looks ahead from), `pending[first...]`.
    private var pending: [Int] = []
    private var first = 0
    /// `lag`'s last arguments, a ring of `-step` values.
    private var ring: [Value] = []

    init(_ call: WindowCall, _ eval: Evaluator) throws {
        function = call.function
        kind = Accumulator.Kind(rawValue: call.function)
        hasArgument = !call.args.isEmpty
        descending = call.window.sort.map(\.descending)
        accumulator = Accumulator(kind ?? .count)
        extra = call.args.dropFirst().map { eval.eval($0, JSONObject()) }
        if function == "lag" || function == "lead" {
            let k = call.args.count > 1 ? try WindowPartition.offset(eval.eval(call.args[1], JSONObject()), function) : 1
            step = function == "lag" ? -k : k
        } else {
            step = 0
        }
    }

    /// `lag`/`lead`'s K: a whole number (a partition never has 2^40 rows, so a larger one
    /// gives null as it would, without overflowing).
    static func offset(_ v: Value, _ function: String) throws -> Int {
        let limit = 1 << 40
        switch v {
        case .int(let k): return Swift.max(-limit, Swift.min(limit, k))
        case .double(let d) where d.rounded() == d: return d.magnitude > Double(limit) ? (d < 0 ? -limit : limit) : Int(d)
        default:
            throw ExecError("`\(function)`'s offset must be a whole number written in the query; it is \(v.isNull ? "null" : v.text)",
                            hints: ["`\(function)(x, 2) over (…)` takes the value 2 rows \(function == "lag" ? "before" : "after")"])
        }
    }

    private func peers(_ a: [Value], _ b: [Value]) -> Bool {
        !Executor.precedes(a, b, descending: descending) && !Executor.precedes(b, a, descending: descending)
    }

    mutating func add(_ seq: Int, _ sort: [Value], _ argument: Value, _ emit: (Int, Value) throws -> Void) throws {
        defer { rows += 1 }
        switch function {
        case "row_number":
            try emit(seq, .int(rows + 1))
        case "rank", "dense_rank":
            if rows == 0 || !peers(previous, sort) {
                rank = rows + 1
                dense += 1
            }
            previous = sort
            try emit(seq, .int(function == "rank" ? rank : dense))
        case "lag", "lead":
            if step <= 0 {
                let back = -step
                if back == 0 {
                    try emit(seq, argument)
                } else if rows < back {
                    ring.append(argument)
                    try emit(seq, .null)
                } else {
                    let slot = rows % back
                    try emit(seq, ring[slot])
                    ring[slot] = argument
                }
            } else {
                pending.append(seq)
                if pending.count - first > step {
                    try emit(pending[first], argument)
                    first += 1
                    compact()
                }
            }
        default:
            // An aggregate: of the whole partition, or (with `sort`) running from its first
            // row to the current one and its peers, as SQL's default frame.
            if !descending.isEmpty, first < pending.count, !peers(previous, sort) {
                try flush(emit)
            }
            if first == pending.count { previous = sort }
            if !argument.isNull { accumulator.add(argument) }
            pending.append(seq)
        }
    }

    /// The partition has ended.
    mutating func finish(_ emit: (Int, Value) throws -> Void) throws {
        switch function {
        case "row_number", "rank", "dense_rank": return
        case "lag", "lead":
            for s in pending[first...] { try emit(s, .null) }
        default:
            try flush(emit)
        }
    }

    /// Gives the waiting rows (a peer group, or the whole partition) the aggregate so far.
    private mutating func flush(_ emit: (Int, Value) throws -> Void) throws {
        let v: Value
        if kind == nil {
            v = .null
        } else if !hasArgument && kind == .count {
            v = .int(rows)
        } else {
            v = accumulator.result(extra)
        }
        for s in pending[first...] { try emit(s, v) }
        pending.removeAll(keepingCapacity: true)
        first = 0
    }

    private mutating func compact() {
        if first > 4096, first * 2 > pending.count {
            pending.removeFirst(first)
            first = 0
        }
    }
}

/// A window call's values by row number: an array while the rows are in memory, else an
/// `ExternalSort` by row number, read back in row order.
final class RowValues {
    private var array: [Value]?
    private let sorter: ExternalSort?
    private var sorted: SortedRecords?
    private var at = 0
    private var added = 0

    init(count: Int) {
        array = Array(repeating: .null, count: count)
        sorter = nil
    }

    init(sortingWithin memoryLimit: Int) {
        sorter = ExternalSort(descending: [false, false], memoryLimit: memoryLimit)
    }

    func set(_ seq: Int, _ v: Value) throws {
        if array != nil {
            array![seq] = v
            return
        }
        sorter!.add(JSONObject(), [.int(seq), v])
        added += 1
        if added & 1023 == 0 { try sorter!.spillIfFull() }
    }

    func finishWriting() throws {
        if let sorter { sorted = try sorter.finish() }
    }

    /// The next row's value, in row order.
    func next() throws -> Value {
        defer { at += 1 }
        if let array { return array[at] }
        guard let r = try sorted?.nextRecord() else { throw ExecError("a window function lost a value while reading back its temporary file", hints: []) }
        return r.keys[1]
    }
}
