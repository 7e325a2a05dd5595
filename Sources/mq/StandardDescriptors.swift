import Foundation

/// Writes to standard error with write(2): FileHandle's old `write(_:)` raises (and kills
/// the process) when the reader has gone, and a diagnostic must never crash mq. What
/// cannot be written is dropped: there is nowhere left to say so.
func writeStderr(_ text: String) {
    StandardDescriptors.writeAll(2, Array(text.utf8))
}

/// The three standard descriptors, as mq finds them, and whole reads and writes of one.
enum StandardDescriptors {
    struct ReadError: Error { let code: Int32 }

    /// Opens /dev/null on any of 0, 1, 2 that is closed (`mq <&-`, `2>&-`), before anything
    /// else opens a file: otherwise the next socket or file would get that number, and
    /// "standard input" would be read from, or errors written to, whatever it was.
    /// Returns whether standard input was closed. CEditShim's constructor does the same
    /// before the Swift runtime starts (which takes a descriptor of its own); this is for
    /// a build without it.
    static func reopenClosed() -> Bool {
        var inputClosed = false
        for fd: Int32 in 0...2 where fcntl(fd, F_GETFD) == -1 && errno == EBADF {
            if fd == 0 { inputClosed = true }
            let opened = open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY)
            if opened >= 0 && opened != fd {
                dup2(opened, fd)
                close(opened)
            }
        }
        return inputClosed
    }

    /// Writes every byte with write(2), again after a signal interrupts it (Ctrl-C, a
    /// resized window). Returns nil, or the errno that stopped it: the sinks tell a reader
    /// that has gone (EPIPE) from a full disk.
    @discardableResult
    static func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Int32? {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if n < 0 && errno == EINTR { continue }
            if n < 0 { return errno }
            // write(2) returns 0 only when asked for nothing; were it to, looping would spin.
            if n == 0 { return EIO }
            offset += n
        }
        return nil
    }

    /// Every byte of a descriptor, with read(2), or the error that stopped it (a
    /// directory given as input, EIO): a message, not a crash.
    static func readAll(_ fd: Int32) -> Result<[UInt8], ReadError> {
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
            if n > 0 {
                out.append(contentsOf: chunk[0..<n])
            } else if n == 0 {
                return .success(out)
            } else if errno != EINTR {
                return .failure(ReadError(code: errno))
            }
        }
    }
}
