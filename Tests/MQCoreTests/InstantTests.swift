import MQCore
import Testing

@Suite struct InstantTests {
    @Test(arguments: [
        ("1970-01-01T00:00:00.000Z", 0),
        ("2026-05-01T03:42:18.123Z", 1_777_606_938_123),
        ("2000-02-29T23:59:59.999Z", 951_868_799_999),
        ("1969-12-31T23:59:59.999Z", -1),
        ("2100-03-01T00:00:00.000Z", 4_107_542_400_000),
    ])
    func formatsAndParsesMilliseconds(_ text: String, _ ms: Int) throws {
        #expect(Instant(milliseconds: ms).iso8601 == text)
        let parsed = try #require(Instant.parseISO8601(text))
        #expect(parsed.instant.milliseconds == ms)
        #expect(parsed.precision == .dateTime)
    }

    @Test(arguments: [
        ("2026", "2026-01-01T00:00:00.000Z", Instant.Precision.year),
        ("2026-04", "2026-04-01T00:00:00.000Z", .month),
        ("2026-04-15", "2026-04-15T00:00:00.000Z", .day),
        ("2026-04-15T10:30Z", "2026-04-15T10:30:00.000Z", .dateTime),
        ("2026-04-15T10:30", "2026-04-15T10:30:00.000Z", .dateTime),
        ("2026-04-15 10:30:05", "2026-04-15T10:30:05.000Z", .dateTime),
        ("2026-04-15T10:30:00.5Z", "2026-04-15T10:30:00.500Z", .dateTime),
        ("2026-04-15T10:30:00.123456Z", "2026-04-15T10:30:00.123Z", .dateTime),
        ("2026-04-15T10:30:00+02:00", "2026-04-15T08:30:00.000Z", .dateTime),
        ("2026-04-15T00:30:00-0300", "2026-04-15T03:30:00.000Z", .dateTime),
        ("2026-01-01T01:00:00+02:00", "2025-12-31T23:00:00.000Z", .dateTime),
    ])
    func parsesEveryISO8601FormTheApiTakes(_ text: String, _ iso: String, _ precision: Instant.Precision) throws {
        let parsed = try #require(Instant.parseISO8601(text))
        #expect(parsed.instant.iso8601 == iso)
        #expect(parsed.precision == precision)
    }

    @Test(arguments: ["", "26-04-01", "2026-13-01", "2026-02-30", "2025-02-29", "2026-04-15T24:00Z",
                      "2026-04-15T10:60Z", "2026-04-15T10:30:00.Z", "2026-04-15T10:30:00+25:00", "2026/04/15",
                      "yesterday", "2026-04-15Tnoon", "2026-04-15T10:30:00Zjunk"])
    func rejectsWhatIsNotADate(_ text: String) {
        #expect(Instant.parseISO8601(text) == nil)
    }

    @Test func calendarArithmeticAgreesAcrossManyDays() {
        // Every day from 1900 to 2200 round-trips through the civil calendar.
        var expected = (year: 1900, month: 1, day: 1)
        for z in Instant.daysFromCivil(year: 1900, month: 1, day: 1)...Instant.daysFromCivil(year: 2200, month: 12, day: 31) {
            let c = Instant.civilFromDays(z)
            guard c == expected else {
                Issue.record("day \(z): \(c) != \(expected)")
                return
            }
            #expect(Instant.daysFromCivil(year: c.year, month: c.month, day: c.day) == z)
            expected.day += 1
            if expected.day > Instant.daysInMonth(year: expected.year, month: expected.month) {
                expected.day = 1
                expected.month += 1
                if expected.month > 12 {
                    expected.month = 1
                    expected.year += 1
                }
            }
        }
    }

    @Test func monthAndDayBoundaries() {
        let t = Instant.parseISO8601("2026-12-31T23:59:59.999Z")!.instant
        #expect(t.startOfDay.iso8601 == "2026-12-31T00:00:00.000Z")
        #expect(t.startOfMonth.iso8601 == "2026-12-01T00:00:00.000Z")
        #expect(t.startOfNextMonth.iso8601 == "2027-01-01T00:00:00.000Z")
        #expect(t.dateString == "2026-12-31")
        #expect(t.monthString == "2026-12")
        let before = Instant(milliseconds: -1)
        #expect(before.epochDay == -1)
        #expect(before.startOfDay.iso8601 == "1969-12-31T00:00:00.000Z")
    }

    // MARK: calendar months and ISO weeks (language.md v2, Dates)

    /// A month later or earlier is the same day and time of day, or the target month's last
    /// day when it has no such day.
    @Test(arguments: [
        ("2026-01-31T00:00:00.000Z", 1, "2026-02-28T00:00:00.000Z"),
        ("2024-01-31T00:00:00.000Z", 1, "2024-02-29T00:00:00.000Z"),  // a leap year
        ("2000-01-31T00:00:00.000Z", 1, "2000-02-29T00:00:00.000Z"),  // divisible by 400: leap
        ("2100-01-31T00:00:00.000Z", 1, "2100-02-28T00:00:00.000Z"),  // divisible by 100: not
        ("2026-03-31T00:00:00.000Z", -1, "2026-02-28T00:00:00.000Z"),
        ("2024-03-31T08:15:00.250Z", -1, "2024-02-29T08:15:00.250Z"),  // keeps the time of day
        ("2026-11-15T12:00:00.000Z", -1, "2026-10-15T12:00:00.000Z"),
        ("2026-05-31T23:59:59.999Z", 1, "2026-06-30T23:59:59.999Z"),
        ("2026-12-15T00:00:00.000Z", 1, "2027-01-15T00:00:00.000Z"),  // across a year
        ("2026-01-15T00:00:00.000Z", -1, "2025-12-15T00:00:00.000Z"),
        ("2026-01-15T00:00:00.000Z", -13, "2024-12-15T00:00:00.000Z"),
        ("2024-02-29T00:00:00.000Z", 12, "2025-02-28T00:00:00.000Z"),
        ("2024-02-29T00:00:00.000Z", 48, "2028-02-29T00:00:00.000Z"),
        ("2026-08-31T00:00:00.000Z", 0, "2026-08-31T00:00:00.000Z"),
        ("1970-01-31T00:00:00.000Z", -1, "1969-12-31T00:00:00.000Z"),  // before the epoch
    ])
    func addingMonthsClampsToTheMonthsEnd(_ from: String, _ months: Int, _ to: String) throws {
        let start = try #require(Instant.parseISO8601(from)).instant
        #expect(start.adding(months: months)?.iso8601 == to)
    }

    /// Past year 9999 or before year 0 there is no date to spell: nil, and no overflow.
    @Test func addingMonthsBeyondTheYearsIsNil() throws {
        let end = try #require(Instant.parseISO8601("9999-12-15T00:00:00Z")).instant
        #expect(end.adding(months: 1) == nil)
        #expect(Instant(year: 0, month: 1, day: 1).adding(months: -1) == nil)
        #expect(end.adding(months: .max) == nil)
        #expect(end.adding(months: .min) == nil)
        #expect(Instant(year: 0, month: 1, day: 1).adding(months: 9999 * 12 + 11)?.dateString == "9999-12-01")
    }

    /// Every day from 1999 to 2031, moved by -25 to 25 months: the month count moves by
    /// exactly that many, the day is kept or clamped to the month's last, the time stays.
    @Test func addingMonthsAgreesWithTheCalendarAcrossManyDays() throws {
        let first = Instant(year: 1999, month: 1, day: 1, hour: 7, minute: 5)
        var wrong: [String] = []
        for d in stride(from: 0, to: 33 * 366, by: 3) {
            let t = first.adding(days: d)
            let c = t.civil
            for n in -25...25 {
                let m = try #require(t.adding(months: n))
                let mc = m.civil
                if (mc.year * 12 + mc.month) - (c.year * 12 + c.month) != n
                    || mc.day != min(c.day, Instant.daysInMonth(year: mc.year, month: mc.month))
                    || m.milliseconds - m.startOfDay.milliseconds != t.milliseconds - t.startOfDay.milliseconds
                {
                    wrong.append("\(t) + \(n) months = \(m)")
                }
            }
        }
        #expect(wrong.isEmpty, "\(wrong.count) wrong, e.g. \(wrong.prefix(5))")
    }

    /// ISO weeks start on Monday: a Sunday's week started six days before; the year's first
    /// week is the one holding its first Thursday, so it may start in December.
    @Test(arguments: [
        ("2026-11-15T12:00:00Z", "2026-11-09"),  // a Sunday
        ("2026-11-09T00:00:00Z", "2026-11-09"),  // a Monday, at midnight
        ("2026-11-08T23:59:59.999Z", "2026-11-02"),  // the Sunday before, its last millisecond
        ("2026-11-11T18:00:00Z", "2026-11-09"),  // a Wednesday
        ("2026-01-01T00:00:00Z", "2025-12-29"),  // a Thursday: week 1 of 2026 starts in 2025
        ("2027-01-03T00:00:00Z", "2026-12-28"),  // a Sunday in week 53 of 2026
        ("2027-01-04T00:00:00Z", "2027-01-04"),  // the Monday that starts week 1 of 2027
        ("2021-01-03T00:00:00Z", "2020-12-28"),  // a Sunday in week 53 of 2020
        ("1970-01-01T00:00:00Z", "1969-12-29"),  // the epoch, a Thursday
        ("1969-12-31T00:00:00Z", "1969-12-29"),  // before the epoch
        ("2024-03-03T10:00:00Z", "2024-02-26"),  // a Sunday after a leap day
    ])
    func aWeekStartsOnMonday(_ at: String, _ monday: String) throws {
        let t = try #require(Instant.parseISO8601(at)).instant
        #expect(t.startOfWeek.iso8601 == monday + "T00:00:00.000Z")
    }

    /// Seven days a week, every day of a few years: each week's start is a Monday at most
    /// six days back, and the day after a Sunday starts a new week.
    @Test func weekStartsAgreeAcrossManyDays() {
        let knownMonday = Instant(year: 2026, month: 11, day: 9)
        for d in -800...800 {
            let t = knownMonday.adding(days: d).adding(milliseconds: 12 * 3_600_000)
            let back = t.epochDay - t.startOfWeek.epochDay
            #expect((0...6).contains(back))
            #expect((t.startOfWeek.epochDay - knownMonday.epochDay) % 7 == 0)
            #expect(back == ((d % 7) + 7) % 7)
        }
    }

    @Test func previousMonth() {
        #expect(Instant(year: 2026, month: 11, day: 15, hour: 12).startOfPreviousMonth.iso8601 == "2026-10-01T00:00:00.000Z")
        #expect(Instant(year: 2026, month: 1, day: 31).startOfPreviousMonth.iso8601 == "2025-12-01T00:00:00.000Z")
        #expect(Instant(year: 2024, month: 3, day: 1).startOfPreviousMonth.iso8601 == "2024-02-01T00:00:00.000Z")
    }
}
