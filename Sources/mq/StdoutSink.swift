import Foundation
import MQExec

/// Standard output with a buffer; a closed pipe (`mq … | head`) ends the run quietly, and
/// any other failure to write (a full disk, `> /dev/full`) is an error that says so.
final class StdoutSink: FlushableSink {
    private var buffer: [UInt8] = []
    let fd: Int32
    /// Runs before bytes reach the descriptor (the progress line erases itself).
    var beforeWrite: (() -> Void)? = nil
    init(fd: Int32) { self.fd = fd }

    func write(_ bytes: [UInt8]) throws {
        buffer.append(contentsOf: bytes)
        if buffer.count >= 1 << 16 { try flush() }
    }

    func flush() throws {
        if !buffer.isEmpty { beforeWrite?() }
        if let code = StandardDescriptors.writeAll(fd, buffer) {
            buffer.removeAll()
            if code == EPIPE { throw OutputClosed() }
            throw OutputFailed(fd: fd, code: code)
        }
        buffer.removeAll(keepingCapacity: true)
    }
}

/// Standard output or error could not be written (not a closed pipe: that is `OutputClosed`).
struct OutputFailed: Error, CustomStringConvertible {
    let fd: Int32
    let code: Int32
    var description: String {
        "cannot write to standard \(fd == 2 ? "error" : "output"): \(String(cString: strerror(code)))"
    }
}
