import Foundation

/// Regular expressions for `=~`: Foundation's ICU engine, compiled once per pattern.
public final class Regex: @unchecked Sendable {
    private let re: NSRegularExpression

    public init?(_ pattern: String) {
        guard let re = try? NSRegularExpression(pattern: pattern) else { return nil }
        self.re = re
    }

    public static func isValid(_ pattern: String) -> Bool { Regex(pattern) != nil }

    public func matches(_ s: String) -> Bool {
        re.firstMatch(in: s, range: NSRange(s.startIndex..., in: s)) != nil
    }
}
