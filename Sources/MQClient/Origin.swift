import Foundation

/// Scheme, host and port of a URL: what the same-origin rule and the plain-http rule
/// compare.
struct Origin: Equatable, CustomStringConvertible {
    let scheme: String
    let host: String
    let port: Int

    init?(_ url: String) {
        guard let c = URLComponents(string: url), let scheme = c.scheme?.lowercased(), let host = c.host?.lowercased(),
              scheme == "http" || scheme == "https"
        else { return nil }
        self.scheme = scheme
        self.host = host.hasPrefix("[") ? String(host.dropFirst().dropLast()) : host
        port = c.port ?? (scheme == "https" ? 443 : 80)
    }

    /// 127.0.0.0/8, ::1 and localhost: the only places plain http may go without
    /// `--insecure-http`, since nothing there crosses a network.
    var isLoopback: Bool {
        if host == "localhost" || host == "::1" || host == "0:0:0:0:0:0:0:1" { return true }
        let octets = host.split(separator: ".")
        return octets.count == 4 && octets[0] == "127" && octets.allSatisfy { UInt8($0) != nil }
    }

    var description: String {
        let h = host.contains(":") ? "[\(host)]" : host
        let defaultPort = scheme == "https" ? 443 : 80
        return port == defaultPort ? "\(scheme)://\(h)" : "\(scheme)://\(h):\(port)"
    }
}
