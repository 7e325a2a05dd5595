import MQCore
import Testing

/// Expects `body` to fail with an `APIError` that satisfies `check`; records what it got
/// otherwise. (Plain do/catch: clearer failures than #expect's throws: closure form.)
func expectAPIError<T>(_ body: () async throws -> T, sourceLocation: SourceLocation = #_sourceLocation,
                       _ check: (APIError) -> Bool) async
{
    do {
        let value = try await body()
        Issue.record("expected an APIError, got \(value)", sourceLocation: sourceLocation)
    } catch let error as APIError {
        if !check(error) { Issue.record("unexpected error: \(error)", sourceLocation: sourceLocation) }
    } catch {
        Issue.record("expected an APIError, got \(error)", sourceLocation: sourceLocation)
    }
}
