import MQCore
import MQSyntax
import Testing

/// The period words' spans at a fixed now (language.md v2, Dates: ISO weeks, Monday first,
/// UTC): the first instant, and the first instant after.
@Suite struct PeriodTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var now: String
        var period: Period
        var start: String
        var end: String
        var testDescription: String { "\(period.rawValue) at \(now)" }
    }

    static let cases: [Case] = [
        // 2026-11-15T12:00Z, a Sunday: the planner's and the goldens' now.
        Case(now: "2026-11-15T12:00:00Z", period: .today, start: "2026-11-15", end: "2026-11-16"),
        Case(now: "2026-11-15T12:00:00Z", period: .yesterday, start: "2026-11-14", end: "2026-11-15"),
        Case(now: "2026-11-15T12:00:00Z", period: .thisWeek, start: "2026-11-09", end: "2026-11-16"),
        Case(now: "2026-11-15T12:00:00Z", period: .lastWeek, start: "2026-11-02", end: "2026-11-09"),
        Case(now: "2026-11-15T12:00:00Z", period: .thisMonth, start: "2026-11-01", end: "2026-12-01"),
        Case(now: "2026-11-15T12:00:00Z", period: .lastMonth, start: "2026-10-01", end: "2026-11-01"),
        // A Monday at midnight starts its own week.
        Case(now: "2026-11-09T00:00:00Z", period: .thisWeek, start: "2026-11-09", end: "2026-11-16"),
        Case(now: "2026-11-08T23:59:59.999Z", period: .thisWeek, start: "2026-11-02", end: "2026-11-09"),
        // New Year: a week and a month that began the year before.
        Case(now: "2027-01-01T09:00:00Z", period: .thisWeek, start: "2026-12-28", end: "2027-01-04"),
        Case(now: "2027-01-01T09:00:00Z", period: .lastWeek, start: "2026-12-21", end: "2026-12-28"),
        Case(now: "2027-01-01T09:00:00Z", period: .lastMonth, start: "2026-12-01", end: "2027-01-01"),
        Case(now: "2027-01-01T09:00:00Z", period: .yesterday, start: "2026-12-31", end: "2027-01-01"),
        // A leap February.
        Case(now: "2024-03-10T00:00:00Z", period: .lastMonth, start: "2024-02-01", end: "2024-03-01"),
        Case(now: "2024-02-29T23:00:00Z", period: .thisMonth, start: "2024-02-01", end: "2024-03-01"),
    ]

    @Test(arguments: cases)
    func boundsAtAFixedNow(_ c: Case) throws {
        let now = try #require(Instant.parseISO8601(c.now)).instant
        let b = c.period.bounds(at: now)
        #expect(b.start.iso8601 == c.start + "T00:00:00.000Z")
        #expect(b.end.iso8601 == c.end + "T00:00:00.000Z")
    }

    /// Each period holds now or ends where the current one starts, and is no longer than
    /// its unit.
    @Test func periodsAreWhereTheirNamesSay() {
        let now = Instant(year: 2026, month: 11, day: 15, hour: 12)
        for p in [Period.today, .thisWeek, .thisMonth] {
            let b = p.bounds(at: now)
            #expect(b.start <= now && now < b.end, "\(p.rawValue)")
        }
        #expect(Period.yesterday.bounds(at: now).end == Period.today.bounds(at: now).start)
        #expect(Period.lastWeek.bounds(at: now).end == Period.thisWeek.bounds(at: now).start)
        #expect(Period.lastMonth.bounds(at: now).end == Period.thisMonth.bounds(at: now).start)
        #expect(Period.words == ["today", "yesterday", "this_week", "last_week", "this_month", "last_month"])
    }
}
