import MQCore
import Testing

/// `Instant.parseISO8601` reads bytes since it became the hot loop of a CSV's kinds pass;
/// this compares it, on mutated date texts, with the Character-based parser it replaced
/// (kept here verbatim as the reference), so the grammar did not move.
@Suite struct ISO8601ReferenceTests {
    static func reference(_ text: String) -> (instant: Instant, precision: Instant.Precision)? {
        let b = Array(text.utf8)
        var i = 0
        func digits(_ n: Int) -> Int? {
            guard i + n <= b.count else { return nil }
            var v = 0
            for k in 0..<n {
                let c = b[i + k]
                guard c >= 0x30 && c <= 0x39 else { return nil }
                v = v * 10 + Int(c - 0x30)
            }
            i += n
            return v
        }
        func eat(_ c: Character) -> Bool {
            if i < b.count && b[i] == c.asciiValue! {
                i += 1
                return true
            }
            return false
        }
        guard let year = digits(4) else { return nil }
        if i == b.count { return (Instant(year: year, month: 1, day: 1), .year) }
        guard eat("-"), let month = digits(2), (1...12).contains(month) else { return nil }
        if i == b.count { return (Instant(year: year, month: month, day: 1), .month) }
        guard eat("-"), let day = digits(2), (1...Instant.daysInMonth(year: year, month: month)).contains(day) else { return nil }
        if i == b.count { return (Instant(year: year, month: month, day: day), .day) }
        guard eat("T") || eat("t") || eat(" "), let hour = digits(2), hour < 24, eat(":"), let minute = digits(2),
            minute < 60
        else { return nil }
        var second = 0
        var ms = 0
        if eat(":") {
            guard let s = digits(2), s < 60 else { return nil }
            second = s
            if eat(".") || eat(",") {
                var scale = 100
                var any = false
                while i < b.count, b[i] >= 0x30 && b[i] <= 0x39 {
                    ms += Int(b[i] - 0x30) * scale
                    scale /= 10
                    i += 1
                    any = true
                }
                guard any else { return nil }
            }
        }
        var offsetMinutes = 0
        if eat("Z") || eat("z") {
        } else if i < b.count, b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") {
            let sign = b[i] == UInt8(ascii: "-") ? -1 : 1
            i += 1
            guard let oh = digits(2), oh < 24 else { return nil }
            _ = eat(":")
            guard let om = digits(2), om < 60 else { return nil }
            offsetMinutes = sign * (oh * 60 + om)
        }
        guard i == b.count else { return nil }
        let local = Instant(year: year, month: month, day: day, hour: hour, minute: minute, second: second, millisecond: ms)
        return (local.adding(milliseconds: -offsetMinutes * 60_000), .dateTime)
    }

    static let seeds = [
        "2026", "2026-04", "2024-02-29", "2026-04-15T10:30Z", "2026-04-15 10:30:05", "2026-04-15t10:30:00.5z",
        "2026-04-15T10:30:00.123456Z", "2026-04-15T10:30:00+02:00", "2026-04-15T00:30:00-0300",
        "2026-04-15T10:30:00,25-11:59", "9999-12-31T23:59:59.999Z", "0000-01-01",
    ]
    static let alphabet = Array("0123456789-:.,+TtZz /é".unicodeScalars)

    @Test func agreesWithTheCharacterParserOnMutatedDates() {
        var rng = SplitMix64(seed: 8601)
        var accepted = 0, rejected = 0
        for round in 0..<200_000 {
            var s = Array(ISO8601ReferenceTests.seeds[round % ISO8601ReferenceTests.seeds.count].unicodeScalars)
            for _ in 0..<(1 + Int(rng.next() % 3)) {
                let at = s.isEmpty ? 0 : Int(rng.next() % UInt64(s.count + 1))
                let c = ISO8601ReferenceTests.alphabet[Int(rng.next() % UInt64(ISO8601ReferenceTests.alphabet.count))]
                switch rng.next() % 3 {
                case 0: s.insert(c, at: at)
                case 1: if at < s.count { s.remove(at: at) }
                default: if at < s.count { s[at] = c }
                }
            }
            var text = ""
            text.unicodeScalars.append(contentsOf: s)
            let want = ISO8601ReferenceTests.reference(text)
            let got = Instant.parseISO8601(text)
            guard want?.instant == got?.instant, want?.precision == got?.precision else {
                Issue.record("\(text): reference \(String(describing: want)), parser \(String(describing: got))")
                return
            }
            if want == nil { rejected += 1 } else { accepted += 1 }
        }
        // Both outcomes are exercised, not only one.
        #expect(accepted > 10_000)
        #expect(rejected > 10_000)
    }
}
