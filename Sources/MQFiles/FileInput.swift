#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file read through one sliding window of bytes, so streaming formats hold a chunk
/// in memory rather than the file.
///
/// The window is `bytes`: what has been read and not yet consumed. `refill()` moves the
/// unconsumed tail to the front and reads more after it, growing the buffer only when a
/// single line or record is larger than it. POSIX read(2) on a raw buffer: FileHandle
/// and `Data` cost a copy and bridging per chunk for nothing here.
final class FileInput {
    /// 1 MiB: large enough that read(2) calls are noise, small enough to stay in L2/L3.
    static let chunkSize = 1 << 20
    /// What `RowReader.sampling` reads of a CSV file.
    static let sampleBytes = 1 << 20

    let path: String
    private var fd: Int32
    private var base: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    /// Unconsumed bytes are `base[start..<end]`.
    /// Where in the file the unconsumed bytes start.
    private(set) var offset = 0
    private(set) var start = 0
    private(set) var end = 0
    /// True once read(2) has returned 0.
    private(set) var atEOF = false

    init(path: String, chunkSize: Int = FileInput.chunkSize) throws(FileError) {
        self.path = path
        var fd: Int32
        repeat { fd = open(path, O_RDONLY | O_CLOEXEC) } while fd < 0 && errno == EINTR
        guard fd >= 0 else { throw .system(path, errno: errno) }
        self.fd = fd
        capacity = max(chunkSize, 1)
        base = .allocate(capacity: capacity)
    }

    /// The file from byte `offset` on (the second half of a CSV's kinds pass).
    convenience init(path: String, chunkSize: Int = FileInput.chunkSize, offset: Int) throws(FileError) {
        try self.init(path: path, chunkSize: chunkSize)
        guard lseek(fd, off_t(offset), SEEK_SET) >= 0 else { throw .system(path, errno: errno) }
        self.offset = offset
    }

    /// A window over bytes already in memory (a pipe read whole), at its end of file.
    init(bytes: [UInt8], path: String) {
        self.path = path
        fd = -1
        capacity = max(bytes.count, 1)
        base = .allocate(capacity: capacity)
        bytes.withUnsafeBufferPointer { if let p = $0.baseAddress { base.update(from: p, count: bytes.count) } }
        end = bytes.count
        atEOF = true
    }

    /// Whether the file is a regular file, which can be opened and read a second time
    /// (a pipe or a terminal cannot).
    var isRegularFile: Bool {
        var st = stat()
        return fd >= 0 && fstat(fd, &st) == 0 && (st.st_mode & S_IFMT) == S_IFREG
    }

    /// Which file, at which size and modification time: two opens of one unchanged file
    /// give the same.
    struct Identity: Equatable {
        var device: UInt64
        var inode: UInt64
        var size: Int
        var modified: Int
        var modifiedNanoseconds: Int
    }

    /// The identity of a regular file; nil for anything else.
    var identity: Identity? {
        var st = stat()
        guard fd >= 0, fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { return nil }
#if canImport(Darwin)
        let m = st.st_mtimespec
#else
        let m = st.st_mtim
#endif
        return Identity(device: UInt64(st.st_dev), inode: UInt64(st.st_ino), size: Int(st.st_size),
                        modified: Int(m.tv_sec), modifiedNanoseconds: Int(m.tv_nsec))
    }

    /// The file's size in bytes (0 when it is not a regular file, or is closed).
    var fileSize: Int {
        var st = stat()
        return fd >= 0 && fstat(fd, &st) == 0 && (st.st_mode & S_IFMT) == S_IFREG ? Int(st.st_size) : 0
    }

    deinit {
        close()
        base.deallocate()
    }

    /// Releases the descriptor early (at the end of the data, or on an error).
    func close() {
        if fd >= 0 {
            closeDescriptor(fd)
            fd = -1
        }
    }

    /// The unconsumed bytes. Valid until the next `refill()`.
    var bytes: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(start: base + start, count: end - start) }

    /// Marks the first `n` unconsumed bytes as used.
    func consume(_ n: Int) {
        precondition(n >= 0 && start + n <= end)
        start += n
        offset += n
    }

    /// Reads more bytes after the unconsumed ones. Returns false at the end of the file
    /// (nothing more was added).
    func refill() throws(FileError) -> Bool {
        if atEOF { return false }
        if start > 0 {
            if end > start { (base).update(from: base + start, count: end - start) }
            end -= start
            start = 0
        }
        if end == capacity { grow(to: capacity * 2) }
        while true {
            let n = read(fd, base + end, capacity - end)
            if n > 0 {
                end += n
                return true
            }
            if n == 0 {
                atEOF = true
                close()
                return false
            }
            if errno == EINTR { continue }
            let code = errno
            close()
            throw .system(path, errno: code)
        }
    }

    /// Skips a UTF-8 byte-order mark at the very start of the file, which Windows tools
    /// (Excel's "CSV UTF-8", Notepad) write and no format here wants as data.
    func skipByteOrderMark() throws(FileError) {
        while end - start < 3, try refill() {}
        let b = bytes
        if b.count >= 3, b[0] == 0xEF, b[1] == 0xBB, b[2] == 0xBF { consume(3) }
    }

    /// Everything left in the file, for formats parsed whole.
    func readAll() throws(FileError) -> [UInt8] {
        var st = stat()
        if fd >= 0, fstat(fd, &st) == 0, Int(st.st_size) + 1 > capacity { grow(to: Int(st.st_size) + 1) }
        while try refill() {}
        return Array(bytes)
    }

    private func grow(to newCapacity: Int) {
        let p = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        p.update(from: base + start, count: end - start)
        base.deallocate()
        base = p
        end -= start
        start = 0
        capacity = newCapacity
    }
}

/// close(2), out of reach of `FileInput.close()`'s name inside the class.
private func closeDescriptor(_ fd: Int32) {
    _ = close(fd)
}
