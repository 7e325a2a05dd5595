import Foundation
import MQFormat

/// A file written to a temporary name beside its target and renamed over it on commit:
/// readers see the old file or the whole new one, never half of it, and a failure
/// (a full disk, an interrupted query) leaves no partial file behind.
///
/// A target that exists and is not a regular file (a device such as /dev/stdout or
/// /dev/full, a fifo) is written directly: renaming over it would replace the device.
final class AtomicFile: OutputSink {
    let target: String
    /// nil when writing straight to a non-regular target.
    let temporary: String?
    private let fd: Int32
    private var buffer: [UInt8] = []

    init(_ target: String) throws {
        self.target = target
        var st = stat()
        if stat(target, &st) == 0, (st.st_mode & S_IFMT) != S_IFREG {
            temporary = nil
            fd = open(target, O_WRONLY)
        } else {
            let dir = (target as NSString).deletingLastPathComponent
            let base = (target as NSString).lastPathComponent
            let tmp = (dir.isEmpty ? "." : dir) + "/.\(base).mq-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).tmp"
            temporary = tmp
            fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL, 0o644)
        }
        guard fd >= 0 else {
            throw ExecError("cannot write \(target): \(String(cString: strerror(errno)))")
        }
    }

    func write(_ bytes: [UInt8]) throws {
        buffer.append(contentsOf: bytes)
        if buffer.count >= 1 << 16 { try flush() }
    }

    private func flush() throws {
        var offset = 0
        while offset < buffer.count {
            let n = buffer.withUnsafeBytes { Foundation.write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if n < 0 {
                if errno == EINTR { continue }
                let reason = String(cString: strerror(errno))
                discard()
                throw ExecError("cannot write \(target): \(reason); nothing was saved")
            }
            offset += n
        }
        buffer.removeAll(keepingCapacity: true)
    }

    func commit() throws {
        try flush()
        guard let temporary else {
            close(fd)
            return
        }
        guard fsync(fd) == 0, close(fd) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw ExecError("cannot write \(target): \(reason); nothing was saved")
        }
        guard rename(temporary, target) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw ExecError("cannot save \(target): \(reason)")
        }
    }

    func discard() {
        close(fd)
        if let temporary { unlink(temporary) }
    }
}
