/// One code per mistake: a code names what went wrong, never several things, so a user
/// (or a script grepping `error[E036]`) can rely on it. Each is made by exactly one
/// factory, an `extension Diagnostic` next to the code that finds the mistake (a test
/// checks both). Codes are stable: a retired code is never reused.
public enum DiagnosticCode: String, CaseIterable, Sendable {
    // Lexing
    case unexpectedCharacter = "E001"
    case unterminatedString = "E002"
    case invalidLiteral = "E003"
    case unterminatedQuotedName = "E004"
    case unknownEscape = "E005"
    case badUnicodeEscape = "E006"
    // Parsing
    case incomplete = "E010"
    case unexpected = "E011"
    case tooDeep = "E012"
    /// `sort by name` (SQL's ORDER BY).
    case sortBy = "E013"
    /// `summarize by category` with no aggregate.
    case byWithoutAggregate = "E014"
    case unknownSource = "E020"
    case unknownStage = "E021"
    case unknownClause = "E022"
    case unknownMeta = "E023"
    case unknownFunction = "E024"
    case arity = "E025"
    case unknownFormat = "E026"
    /// A literal where a count goes that is not a whole number ≥ 0.
    case notACount = "E027"
    case duplicateClause = "E028"
    case aggregateOutsideSummarize = "E029"
    // Planning
    case unknownField = "E030"
    case invalidRegex = "E031"
    case clauseNotTaken = "E032"
    case flattenNeedsField = "E033"
    case badMetaArgument = "E034"
    /// A `search` or contact id that is not text.
    case notText = "E035"
    /// A `since`/`until` value that is not a date.
    case notADate = "E036"
    /// `limit $n` where `$n` holds no whole number ≥ 0.
    case variableNotACount = "E037"
    /// `summarize` of something that folds no rows (`summarize name`).
    case notAnAggregate = "E038"
    /// A function argument of a kind it cannot read (`year(name)`).
    case argumentKind = "E039"
    case unknownVariable = "E040"
    case notAValue = "E041"
    case noHelp = "E042"
    case emptyWindow = "E043"
    case flattenNameTaken = "E044"
    /// A literal outside the range an argument takes (`percentile(x, 150)`).
    case outOfRange = "E045"
    /// `1mo` where it does not move a date (`n > 1mo`, `bin(t, 1mo)`): a calendar month
    /// has no fixed number of seconds.
    case monthNotSeconds = "E046"
    /// `rank()` without `over (…)`.
    case windowWithoutOver = "E049"
    /// `over (…)` outside `derive`/`select`, or on a function that is not a window one.
    case overNotAllowed = "E050"
    /// `rank() over (by x)`: no `sort`.
    case windowNeedsSort = "E051"
    /// `customer ""`: no id, phone, email or name to look up.
    case emptyContact = "E052"
    // Warnings: the statement runs.
    case unknownValue = "W001"
    case kindMismatch = "W002"
    case aggregateOfWrongKind = "W003"
    case caseMismatch = "W004"
}
