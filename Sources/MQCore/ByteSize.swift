#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A size in bytes as people write it (`300MB`, `2 GiB`, `512kb`), for `--memory-limit`
/// and the config's `memory_limit`. KB, MB, GB and TB count by 1000 and KiB, MiB, GiB and
/// TiB by 1024, as DuckDB's `memory_limit` does; a bare number is bytes.
public enum ByteSize {
    public static func parse(_ text: String) -> Int? {
        let t = text.trimmingSpaces.lowercased()
        let digits = t.prefix { $0.isNumber || $0 == "." }
        guard !digits.isEmpty, let n = Double(digits), n.isFinite else { return nil }
        let unit = t.dropFirst(digits.count).trimmingSpaces
        let scale: Double
        switch unit {
        case "", "b": scale = 1
        case "kb": scale = 1e3
        case "mb": scale = 1e6
        case "gb": scale = 1e9
        case "tb": scale = 1e12
        case "kib": scale = 1024
        case "mib": scale = 1024 * 1024
        case "gib": scale = 1024 * 1024 * 1024
        case "tib": scale = 1024 * 1024 * 1024 * 1024
        default: return nil
        }
        let bytes = n * scale
        guard bytes < 9e18 else { return nil }
        return Int(bytes)
    }

    /// A size as `parse` reads it back, in the largest unit of 1000 that keeps it above 1
    /// (`64MB`, `1.5GB`, `900B`).
    public static func text(_ bytes: Int) -> String {
        let units: [(Double, String)] = [(1e12, "TB"), (1e9, "GB"), (1e6, "MB"), (1e3, "KB")]
        for (scale, name) in units where Double(bytes) >= scale {
            let v = Double(bytes) / scale
            let digits = v >= 100 || v == v.rounded() ? String(Int(v.rounded())) : String(Double(Int(v * 10)) / 10)
            return digits + name
        }
        return "\(bytes)B"
    }

    /// Half the machine's memory: the default limit, as DuckDB's is 80 % and mq's other
    /// work (the output, the reader's chunks) needs room beside it.
    public static var defaultMemoryLimit: Int {
        let pages = sysconf(Int32(_SC_PHYS_PAGES)), size = sysconf(Int32(_SC_PAGESIZE))
        guard pages > 0, size > 0 else { return 4_000_000_000 }
        return pages * size / 2
    }
}

extension StringProtocol {
    fileprivate var trimmingSpaces: String {
        String(drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}
