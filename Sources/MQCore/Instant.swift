/// A point in UTC time with millisecond precision, as the Mosend API writes it
/// (`2026-05-01T03:42:18.123Z`).
///
/// Calendar arithmetic uses Howard Hinnant's days-from-civil algorithms: no Foundation,
/// no time zones (the API speaks UTC only), and fast enough to format millions of times.
public struct Instant: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Milliseconds since 1970-01-01T00:00:00Z.
    public var milliseconds: Int

    public init(milliseconds: Int) { self.milliseconds = milliseconds }

    public static func < (a: Instant, b: Instant) -> Bool { a.milliseconds < b.milliseconds }

    public static let millisecondsPerDay = 86_400_000

    /// Midnight UTC of the given civil date.
    public init(year: Int, month: Int, day: Int, hour: Int = 0, minute: Int = 0, second: Int = 0, millisecond: Int = 0) {
        let days = Instant.daysFromCivil(year: year, month: month, day: day)
        milliseconds = ((days * 24 + hour) * 60 + minute) * 60_000 + second * 1000 + millisecond
    }

    public func adding(milliseconds ms: Int) -> Instant { Instant(milliseconds: milliseconds + ms) }

    /// Years 0000 through 9999: what ISO-8601's four-digit years spell, so what mq reads
    /// (`parseISO8601`) and writes (`iso8601` would drop a fifth digit).
    public static let representable = Instant(year: 0, month: 1, day: 1)
        ... Instant(year: 9999, month: 12, day: 31, hour: 23, minute: 59, second: 59, millisecond: 999)

    /// This instant moved by `seconds` (to the millisecond, toward zero): `date + 3600`.
    /// Nil when the result is not `representable`, or `seconds` is not finite.
    public func offset(bySeconds seconds: Double) -> Instant? {
        let ms = seconds * 1000
        // Beyond 10^15 ms (31,000 years) no representable instant is in reach, and the
        // Int conversion and the sum below could trap.
        guard ms.isFinite, abs(ms) < 1e15 else { return nil }
        let moved = Instant(milliseconds: milliseconds + Int(ms))
        return Instant.representable.contains(moved) ? moved : nil
    }
    public func adding(seconds s: Int) -> Instant { Instant(milliseconds: milliseconds + s * 1000) }
    public func adding(days d: Int) -> Instant { Instant(milliseconds: milliseconds + d * Instant.millisecondsPerDay) }

    /// Days since the epoch of this instant's UTC date.
    public var epochDay: Int { milliseconds.floorDiv(Instant.millisecondsPerDay) }

    /// Midnight UTC of this instant's date.
    public var startOfDay: Instant { Instant(milliseconds: epochDay * Instant.millisecondsPerDay) }

    public var civil: (year: Int, month: Int, day: Int) { Instant.civilFromDays(epochDay) }

    /// Midnight UTC on the first day of this instant's month.
    public var startOfMonth: Instant {
        let c = civil
        return Instant(year: c.year, month: c.month, day: 1)
    }

    /// Midnight UTC on the first day of the next month.
    public var startOfNextMonth: Instant {
        let c = civil
        return c.month == 12 ? Instant(year: c.year + 1, month: 1, day: 1) : Instant(year: c.year, month: c.month + 1, day: 1)
    }

    /// Midnight UTC on the first day of the month before this instant's.
    public var startOfPreviousMonth: Instant {
        let c = civil
        return c.month == 1 ? Instant(year: c.year - 1, month: 12, day: 1) : Instant(year: c.year, month: c.month - 1, day: 1)
    }

    /// Midnight UTC on the Monday that starts this instant's ISO week (weeks start on
    /// Monday, so a Sunday belongs to the week of the Monday six days before it).
    public var startOfWeek: Instant {
        Instant(milliseconds: (epochDay - (isoWeekday - 1)) * Instant.millisecondsPerDay)
    }

    /// 1 for Monday … 7 for Sunday, in UTC (ISO 8601).
    public var isoWeekday: Int {
        // 1970-01-01, epoch day 0, was a Thursday: three days after a Monday.
        let d = epochDay + 3
        return d - d.floorDiv(7) * 7 + 1
    }

    /// This instant moved by `months` calendar months (negative: back), in UTC, keeping
    /// the time of day. A day the target month does not have becomes its last day:
    /// 2026-01-31 + 1 month is 2026-02-28, 2024-01-31 + 1 month 2024-02-29. A month has no
    /// fixed length in seconds, which is why this is not `offset(bySeconds:)`.
    /// Nil when the result is not `representable`.
    public func adding(months n: Int) -> Instant? {
        let day = epochDay
        let c = Instant.civilFromDays(day)
        // Months since year 0; an instant's year is at most about 3e8, so this fits.
        let (total, overflow) = (c.year * 12 + c.month - 1).addingReportingOverflow(n)
        guard !overflow else { return nil }
        let year = total.floorDiv(12)
        let month = total - year * 12 + 1
        // Beyond these years no representable instant is in reach (and Instant(year:)
        // could overflow).
        guard (-1...10_000).contains(year) else { return nil }
        let date = Instant(year: year, month: month, day: min(c.day, Instant.daysInMonth(year: year, month: month)))
        let moved = date.adding(milliseconds: milliseconds - day * Instant.millisecondsPerDay)
        return Instant.representable.contains(moved) ? moved : nil
    }

    /// `2026-05-01T03:42:18.123Z`
    public var iso8601: String {
        let day = epochDay
        let c = Instant.civilFromDays(day)
        var msOfDay = milliseconds - day * Instant.millisecondsPerDay
        let ms = msOfDay % 1000
        msOfDay /= 1000
        let s = msOfDay % 60
        msOfDay /= 60
        let m = msOfDay % 60
        let h = msOfDay / 60
        var out = [UInt8]()
        out.reserveCapacity(24)
        Instant.pad(c.year, 4, &out)
        out.append(UInt8(ascii: "-"))
        Instant.pad(c.month, 2, &out)
        out.append(UInt8(ascii: "-"))
        Instant.pad(c.day, 2, &out)
        out.append(UInt8(ascii: "T"))
        Instant.pad(h, 2, &out)
        out.append(UInt8(ascii: ":"))
        Instant.pad(m, 2, &out)
        out.append(UInt8(ascii: ":"))
        Instant.pad(s, 2, &out)
        out.append(UInt8(ascii: "."))
        Instant.pad(ms, 3, &out)
        out.append(UInt8(ascii: "Z"))
        return String(decoding: out, as: UTF8.self)
    }

    /// `2026-05-01`
    public var dateString: String {
        let c = civil
        var out = [UInt8]()
        Instant.pad(c.year, 4, &out)
        out.append(UInt8(ascii: "-"))
        Instant.pad(c.month, 2, &out)
        out.append(UInt8(ascii: "-"))
        Instant.pad(c.day, 2, &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// `2026-05`
    public var monthString: String { String(dateString.prefix(7)) }

    public var description: String { iso8601 }

    private static func pad(_ v: Int, _ width: Int, _ out: inout [UInt8]) {
        var digits = [UInt8](repeating: UInt8(ascii: "0"), count: width)
        var x = abs(v)
        var k = width - 1
        while k >= 0 {
            digits[k] = UInt8(ascii: "0") + UInt8(x % 10)
            x /= 10
            k -= 1
        }
        if v < 0 { out.append(UInt8(ascii: "-")) }
        out.append(contentsOf: digits)
    }

    // MARK: civil calendar (proleptic Gregorian)

    public static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    public static func civilFromDays(_ z0: Int) -> (year: Int, month: Int, day: Int) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    public static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }
}

extension Instant {
    /// How precise a parsed ISO-8601 text was: `2026` is a year, `2026-04` a month…
    public enum Precision: Sendable, Equatable {
        case year, month, day, dateTime
    }

    /// Parses an ISO-8601 date or date-time: `2026`, `2026-04`, `2026-04-15`,
    /// `2026-04-15T10:30Z`, `2026-04-15T10:30:00.123+02:00`. Without an offset a
    /// date-time is taken as UTC. Returns the first instant it denotes and its precision,
    /// or nil when the text is not a valid date.
    public static func parseISO8601(_ text: String) -> (instant: Instant, precision: Precision)? {
        var text = text
        return text.withUTF8 { parseISO8601(bytes: $0) }
    }

    /// `parseISO8601` over UTF-8 bytes, which is what it reads: a CSV column's kind is
    /// decided by calling it on every cell, and through a String's characters it was half
    /// of that pass (each `Character` compare, and the index checks of a closure's
    /// captured counter).
    public static func parseISO8601(bytes b: UnsafeBufferPointer<UInt8>) -> (instant: Instant, precision: Precision)? {
        let n = b.count
        var i = 0
        @inline(__always) func isDigit(_ c: UInt8) -> Bool { c &- 0x30 < 10 }
        /// The value of the `count` digits at `at`, or -1.
        @inline(__always) func number(_ at: Int, _ count: Int) -> Int {
            guard at + count <= n else { return -1 }
            var v = 0
            for k in at..<(at + count) {
                let c = b[k]
                guard isDigit(c) else { return -1 }
                v = v * 10 + Int(c &- 0x30)
            }
            return v
        }
        let year = number(0, 4)
        guard year >= 0 else { return nil }
        i = 4
        if i == n { return (Instant(year: year, month: 1, day: 1), .year) }
        guard b[i] == UInt8(ascii: "-") else { return nil }
        let month = number(i + 1, 2)
        guard (1...12).contains(month) else { return nil }
        i += 3
        if i == n { return (Instant(year: year, month: month, day: 1), .month) }
        guard b[i] == UInt8(ascii: "-") else { return nil }
        let day = number(i + 1, 2)
        guard day >= 1, day <= daysInMonth(year: year, month: month) else { return nil }
        i += 3
        if i == n { return (Instant(year: year, month: month, day: day), .day) }
        let t = b[i]
        guard t == UInt8(ascii: "T") || t == UInt8(ascii: "t") || t == UInt8(ascii: " ") else { return nil }
        let hour = number(i + 1, 2)
        guard hour >= 0, hour < 24, i + 3 < n, b[i + 3] == UInt8(ascii: ":") else { return nil }
        let minute = number(i + 4, 2)
        guard minute >= 0, minute < 60 else { return nil }
        i += 6
        var second = 0
        var ms = 0
        if i < n, b[i] == UInt8(ascii: ":") {
            second = number(i + 1, 2)
            guard second >= 0, second < 60 else { return nil }
            i += 3
            if i < n, b[i] == UInt8(ascii: ".") || b[i] == UInt8(ascii: ",") {
                i += 1
                let first = i
                var scale = 100
                while i < n, isDigit(b[i]) {
                    ms += Int(b[i] &- 0x30) * scale
                    scale /= 10
                    i += 1
                }
                guard i > first else { return nil }
            }
        }
        var offsetMinutes = 0
        if i < n, b[i] == UInt8(ascii: "Z") || b[i] == UInt8(ascii: "z") {
            i += 1
        } else if i < n, b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") {
            let sign = b[i] == UInt8(ascii: "-") ? -1 : 1
            let oh = number(i + 1, 2)
            guard oh >= 0, oh < 24 else { return nil }
            i += 3
            if i < n, b[i] == UInt8(ascii: ":") { i += 1 }
            let om = number(i, 2)
            guard om >= 0, om < 60 else { return nil }
            i += 2
            offsetMinutes = sign * (oh * 60 + om)
        }
        guard i == n else { return nil }
        let local = Instant(year: year, month: month, day: day, hour: hour, minute: minute, second: second, millisecond: ms)
        return (local.adding(milliseconds: -offsetMinutes * 60_000), .dateTime)
    }
}

extension Int {
    /// Division rounding toward negative infinity (Swift's `/` truncates toward zero).
    @inlinable public func floorDiv(_ d: Int) -> Int {
        let q = self / d
        return (self % d != 0 && (self < 0) != (d < 0)) ? q - 1 : q
    }
}
