import Foundation
import MQConfig

/// Where an API key comes from besides the environment and the config file.
enum KeyInput {
    /// `--api-key mk_live_…` is readable by any local user in `ps` and /proc/PID/cmdline
    /// for as long as mq runs: its bytes in the process's argv are overwritten with `x`
    /// at start (as the MySQL client does). What `ps` showed before that instant cannot
    /// be taken back, which is why --help points to --api-key-file.
    static func blankKeyInArgv() {
        let argc = Int(CommandLine.argc)
        let argv = CommandLine.unsafeArgv
        var i = 1
        while i < argc {
            guard let p = argv[i] else { break }
            let arg = String(cString: p)
            if arg == "--" { break }
            if arg == "--api-key", i + 1 < argc, let v = argv[i + 1], String(cString: v) != "-" {
                blank(v, from: 0)
                i += 2
                continue
            }
            if arg.hasPrefix("--api-key=") { blank(p, from: "--api-key=".utf8.count) }
            i += 1
        }
    }

    private static func blank(_ p: UnsafeMutablePointer<CChar>, from start: Int) {
        let n = strlen(p)
        var k = start
        while k < n {
            p[k] = CChar(UInt8(ascii: "x"))
            k += 1
        }
    }

    /// `--api-key -`: one line of standard input (the rest stays for the statements).
    static func lineFromStandardInput() throws(ConfigError) -> String {
        var line: [UInt8] = []
        var byte: UInt8 = 0
        while line.count <= 64 << 10 {
            let n = read(0, &byte, 1)
            if n < 0 && errno == EINTR { continue }
            if n <= 0 || byte == 0x0A { break }
            line.append(byte)
        }
        let key = String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard !key.isEmpty else { throw ConfigError(message: "--api-key - read no key from standard input") }
        return key
    }

    /// `--api-key-file PATH`: its first line, if only its owner can read it.
    static func file(_ path: String) throws(ConfigError) -> String {
        var st = stat()
        guard stat(path, &st) == 0 else {
            throw ConfigError(message: "--api-key-file \(path): \(String(cString: strerror(errno)))")
        }
        guard st.st_mode & 0o077 == 0 else {
            throw ConfigError(message: "--api-key-file \(path) can be read by others (mode \(String(st.st_mode & 0o777, radix: 8))); "
                + "run: chmod 600 \(path)")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigError(message: "--api-key-file \(path): cannot read it")
        }
        let key = String(decoding: data.prefix(64 << 10), as: UTF8.self).split(whereSeparator: \.isNewline).first
            .map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
        guard !key.isEmpty else { throw ConfigError(message: "--api-key-file \(path) holds no key") }
        return key
    }
}
