import MQCore

extension ListQuery {
    /// The customers list's parameters by name, as the tests write them; the planner
    /// builds them from the catalog instead.
    init(since: String? = nil, until: String? = nil, category: String? = nil, resolutionOutcome: String? = nil,
         search: String? = nil, rowLimit: Int? = nil)
    {
        self.init([("since", since), ("until", until), ("category", category), ("resolutionOutcome", resolutionOutcome),
                   ("q", search)].compactMap { k, v in v.map { (k, $0) } }, rowLimit: rowLimit)
    }
}
