import Glibc

/// The open-file limit, which bounds how many requests can be in flight: each holds a
/// socket (two in the demo, whose server runs in this process). A common soft limit is
/// 1,024 against a hard one far higher, so the soft limit is raised to the hard one the
/// first time it is read, as Go's runtime does for its programs.
enum OpenFiles {
    /// Descriptors kept free of requests: standard streams, the terminal, history and
    /// data files, libcurl's own, the pager.
    static let reserve = 64

    static let limit: Int = {
        var r = rlimit()
        let resource = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
        guard getrlimit(resource, &r) == 0 else { return 1024 }
        if r.rlim_cur < r.rlim_max {
            var raised = r
            raised.rlim_cur = r.rlim_max
            if setrlimit(resource, &raised) == 0 { r = raised }
        }
        // RLIM_INFINITY is all ones.
        return r.rlim_cur == rlim_t.max ? Int.max : Int(clamping: r.rlim_cur)
    }()

    /// The most requests that may be in flight at once.
    static func requestRoom(socketsPerRequest: Int) -> Int {
        max(1, (limit - reserve) / socketsPerRequest)
    }
}
