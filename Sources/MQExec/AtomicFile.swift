import Foundation
import MQFormat

/// A file written to a temporary name beside its target and renamed over it on commit:
/// readers see the old file or the whole new one, never half of it, and a failure
/// (a full disk, an interrupted query) leaves no partial file behind.
///
/// A target that exists and is not a regular file (a device such as /dev/stdout or
/// /dev/full, a fifo) is written directly: renaming over it would replace the device.
///
/// Saving must not widen who can read a file: over an existing file the new one gets its
/// mode and (where the process may set it) its owner and group, so a 0600 file stays
/// 0600; a new file follows the umask, as any file a program creates. A symlink is
/// written through, as `cp` does: its target is replaced (atomically, beside it), and the
/// link stays a link.
final class AtomicFile: OutputSink {
    /// The path as the statement gave it, for messages.
    let target: String
    /// The file actually replaced: the target, or where its symlinks lead.
    let destination: String
    /// nil when writing straight to a non-regular target.
    let temporary: String?
    private let fd: Int32
    private var buffer: [UInt8] = []

    init(_ target: String) throws {
        self.target = target
        destination = AtomicFile.followingLinks(target)
        var st = stat()
        if stat(destination, &st) == 0, (st.st_mode & S_IFMT) != S_IFREG {
            temporary = nil
            fd = open(destination, O_WRONLY)
        } else {
            let existing = stat(destination, &st) == 0
            let dir = (destination as NSString).deletingLastPathComponent
            let base = (destination as NSString).lastPathComponent
            let tmp = (dir.isEmpty ? "." : dir) + "/.\(base).mq-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).tmp"
            temporary = tmp
            // 0600 until the mode is set below: the rows are never readable by others
            // in between, even briefly.
            fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
            if fd >= 0 {
                if existing {
                    // Owner first (it may clear set-id bits), then the mode. Another owner
                    // can only be kept by root; otherwise the file is ours, as with cp.
                    _ = fchown(fd, st.st_uid, st.st_gid)
                    _ = fchmod(fd, st.st_mode & 0o7777)
                } else {
                    let mask = umask(0)
                    umask(mask)
                    _ = fchmod(fd, 0o666 & ~mask)
                }
            }
        }
        guard fd >= 0 else {
            throw ExecError("cannot write \(target): \(String(cString: strerror(errno)))")
        }
    }

    /// Where `path`'s symlinks lead (relative links resolved from their own folder), up
    /// to 40 of them as the kernel allows; a dangling link leads to the file it names,
    /// which saving then creates.
    static func followingLinks(_ path: String) -> String {
        var current = path
        for _ in 0..<40 {
            var buf = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
            let n = readlink(current, &buf, buf.count - 1)
            guard n > 0 else { return current }
            let link = String(decoding: buf[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            let folder = (current as NSString).deletingLastPathComponent
            current = link.hasPrefix("/") ? link : (folder.isEmpty ? "." : folder) + "/" + link
        }
        return current
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
        guard rename(temporary, destination) == 0 else {
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
