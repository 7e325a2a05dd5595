import MQCore

/// The words that name a day, a week or a month relative to now (`Expr.Kind.day`): the
/// one list the parser, the printer's reserved words, the evaluator, the planner's
/// `since`/`until` and completion read. Weeks are ISO weeks (Monday first), all in UTC.
///
/// As a value a word is its period's first instant; in `since`/`until` it is the whole
/// period, as a month or day literal is (`until last_month` ends where this month starts).
public enum Period: String, CaseIterable, Sendable {
    case today, yesterday
    case thisWeek = "this_week"
    case lastWeek = "last_week"
    case thisMonth = "this_month"
    case lastMonth = "last_month"

    /// The words, in the order completion offers them.
    public static var words: [String] { allCases.map(\.rawValue) }

    /// The period's first instant and the first instant after it, for `now`.
    public func bounds(at now: Instant) -> (start: Instant, end: Instant) {
        switch self {
        case .today:
            let start = now.startOfDay
            return (start, start.adding(days: 1))
        case .yesterday:
            let end = now.startOfDay
            return (end.adding(days: -1), end)
        case .thisWeek:
            let start = now.startOfWeek
            return (start, start.adding(days: 7))
        case .lastWeek:
            let end = now.startOfWeek
            return (end.adding(days: -7), end)
        case .thisMonth:
            return (now.startOfMonth, now.startOfNextMonth)
        case .lastMonth:
            return (now.startOfPreviousMonth, now.startOfMonth)
        }
    }
}
