import MQClient
import MQCore
import MQTestSupport

/// Clients for the tests, each on its own transport (so one test's cancellations and
/// in-flight cap never touch another's).
enum Clients {
    static func forSim(_ sim: SimProcess, org: Int = 0, time: FakeTime? = FakeTime(),
                       configure: (inout ClientConfiguration) -> Void = { _ in }) throws -> MosendClient
    {
        var c = ClientConfiguration(baseURL: sim.url, orgId: sim.orgs[org].id,
                                    credentials: Credentials(apiKey: sim.orgs[org].apiKey))
        configure(&c)
        return try MosendClient(c, environment: time?.environment ?? .live)
    }

    static func forServer(_ url: String, key: String = "mk_test_abcd1234.s3cr3tS3cr3tS3cr3t", time: FakeTime = FakeTime(),
                          configure: (inout ClientConfiguration) -> Void = { _ in }) throws -> MosendClient
    {
        var c = ClientConfiguration(baseURL: url, orgId: "00000000-0000-4000-8000-000000000001",
                                    credentials: Credentials(apiKey: key))
        configure(&c)
        return try MosendClient(c, environment: time.environment)
    }

    /// Every row of a scan, or the rows before the error and the error.
    static func scanAll(_ client: MosendClient, _ query: ListQuery = ListQuery(),
                        statement: CallContext = CallContext()) async -> (rows: [JSON], pages: [Page], error: APIError?)
    {
        let source = client.customerPages(query, statement)
        var rows: [JSON] = []
        var pages: [Page] = []
        do throws(APIError) {
            while let page = try await source.next() {
                pages.append(page)
                rows += page.rows
            }
            return (rows, pages, nil)
        } catch {
            return (rows, pages, error)
        }
    }
}
