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
}
