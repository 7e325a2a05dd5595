import MQCore
import MQPlanner

/// `join customer on F`: each distinct contact's detail, fetched while the left side is
/// still being read. Each new id goes to the fan-out the moment its row arrives, so the
/// list's pages overlap the first details instead of all coming first.
///
/// It is still a blocking stage: the names of the joined columns are decided from every
/// left row, and the rows come out in the left side's order once every detail is in.
/// `--max-requests` is checked as the ids come: the contact that would pass it stops the
/// join at once, before its request is sent, and the requests in flight are cancelled.
final class CustomerJoinStream: RowStream {
    let upstream: RowStream
    let plan: JoinPlan
    let executor: Executor
    private var output: ArrayStream?

    init(_ upstream: RowStream, _ plan: JoinPlan, _ executor: Executor) {
        self.upstream = upstream
        self.plan = plan
        self.executor = executor
    }

    func next() async throws -> [JSONObject]? {
        if output == nil { output = ArrayStream(try await run()) }
        return try await output!.next()
    }

    private func run() async throws -> [JSONObject] {
        let ex = executor
        guard let api = ex.api else { throw ExecError("no credentials: `join customer` calls the Mosend API", status: 2) }
        let (ids, feed) = AsyncStream.makeStream(of: String.self)
        // Leaving this scope by a throw cancels the fan-out and waits for it: requests not
        // yet sent are not, those in flight end.
        defer { feed.finish() }
        async let fetched = api.customers(streaming: ids, ex.statement)
        var rows: [JSONObject] = []
        var order: [String] = []
        var seen = Set<String>()
        while let batch = try await upstream.next() {
            for row in batch {
                let v = ex.eval.eval(plan.join.on, row)
                guard !v.isNull, seen.insert(v.text).inserted else { continue }
                guard seen.count <= ex.maxRequests else { throw Self.tooMany(ex.maxRequests) }
                order.append(v.text)
                feed.yield(v.text)
            }
            rows += batch
            if Task.isCancelled { throw CancellationError() }
        }
        try ex.state.checkComplete("join customer")
        feed.finish()
        let results = await fetched
        return try ex.joinCustomer(rows, ids: order, results, plan)
    }

    static func tooMany(_ limit: Int) -> ExecError {
        let sent = limit == 0 ? "no detail request was sent" : "no more than \(limit) detail request\(limit == 1 ? " was" : "s were") sent"
        return ExecError("`join customer` needs more than --max-requests \(limit) requests (one a contact): it stopped at contact \(limit + 1); \(sent)",
                         hints: ["narrow the rows first (`| where …`, `| limit …`) or raise --max-requests"])
    }
}

extension Executor {
    /// The left rows with their contacts' details (`results`, by id; `ids` in the order
    /// the rows first named them).
    func joinCustomer(_ rows: [JSONObject], ids: [String], _ results: [String: Result<JSON, APIError>], _ plan: JoinPlan) throws -> [JSONObject] {
        let j = plan.join
        var details: [String: JSONObject] = [:]
        var missing: [String] = []
        for id in ids {
            switch results[id] {
            case .success(let d)?: details[id] = d.objectValue
            case .failure(let e)? where e.status == 404: missing.append(id)
            case .failure(let e)?: throw e
            case nil: throw ExecError("`join customer`: the detail of contact \(SafeText.terminal(id)) never came back")
            }
        }
        if !missing.isEmpty {
            let shown = missing.prefix(3).joined(separator: ", ") + (missing.count > 3 ? ", …" : "")
            state.warn("join customer: \(missing.count) contact\(missing.count == 1 ? "" : "s") answered 404 (not found): \(shown); "
                + (j.left ? "their rows are kept with nulls" : "their rows are left out (`join left customer` keeps them)"))
        }
        // The whole left side is here, so the names are decided from all of it. A detail
        // repeats the list's fields: one that says the same as the left row is not added
        // again; one that differs is added as NAME_right.
        var leftColumns = Set<String>()
        for r in rows { for k in r.keys { leftColumns.insert(k) } }
        let shared = plan.sharedKey
        var names = JoinNames(rightColumns: Session.columns(of: ids.compactMap { details[$0] }).filter { $0 != shared })
        names.decide(leftColumns: leftColumns)
        var out: [JSONObject] = []
        for row in rows {
            let v = eval.eval(j.on, row)
            if let d = v.isNull ? nil : details[v.text] {
                var right = JSONObject()
                for (k, x) in d where k != shared {
                    if let l = row[k], Compare.equal(Value(l), Value(x)) { continue }
                    right[k] = x
                }
                out.append(names.merge(row, right, skipping: shared))
            } else if j.left {
                var r = row
                for c in Catalog.detailOnlyFields where r[c] == nil { r[c] = .null }
                out.append(r)
            }
        }
        return out
    }
}
