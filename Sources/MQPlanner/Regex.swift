import Foundation

/// Regular expressions for `=~`: Foundation's ICU engine, compiled once per pattern.
///
/// ICU backtracks, so a pattern such as `(a+)+$` takes time that doubles with each
/// character of a value that almost matches (4.8 s on 31 characters). A match is therefore
/// bounded: ICU calls back while it works (`reportProgress`), and past `timeLimit` for one
/// value, or once the statement is cancelled (Ctrl-C), the match stops and says which.
public final class Regex: @unchecked Sendable {
    private let re: NSRegularExpression

    /// Seconds one value may take.
    public static let timeLimit = 1.0

    public enum Outcome: Equatable {
        case match, noMatch
        /// The value took longer than the time limit.
        case tooSlow
        /// The statement's task was cancelled while matching.
        case cancelled
    }

    public init?(_ pattern: String) {
        guard let re = try? NSRegularExpression(pattern: pattern) else { return nil }
        self.re = re
    }

    public static func isValid(_ pattern: String) -> Bool { Regex(pattern) != nil }

    public func matches(_ s: String) -> Bool { match(s) == .match }

    public func match(_ s: String, timeLimit: Double = Regex.timeLimit) -> Outcome {
        var outcome = Outcome.noMatch
        let start = DispatchTime.now().uptimeNanoseconds
        let limit = UInt64(timeLimit * 1e9)
        re.enumerateMatches(in: s, options: [.reportProgress], range: NSRange(s.startIndex..., in: s)) { m, _, stop in
            if m != nil {
                outcome = .match
                stop.pointee = true
            } else if Task.isCancelled {
                outcome = .cancelled
                stop.pointee = true
            } else if DispatchTime.now().uptimeNanoseconds - start > limit {
                outcome = .tooSlow
                stop.pointee = true
            }
        }
        return outcome
    }
}
