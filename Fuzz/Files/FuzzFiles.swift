// libFuzzer target: a data file for `from "file"` through MQFiles' readers.
//
// The first input byte chooses the format (JSON document, NDJSON, CSV), the read
// window's starting size (a few bytes, so window edges fall inside records, or one
// larger than the input) and the batch size; the rest is the file. It is written to a
// file under /dev/shm (the readers take a path) and read twice, with that window and
// with one larger than the input, in batches. Both reads must give the same rows and the
// same error: the window is an implementation detail. After an error, the reader must
// throw it again. A third read keeps only some fields (`RowReader(fields:)`, what a
// query that names them gets): its rows must be the whole rows cut down to those
// fields, in the same order, and its error the same.
//
// Built only by scripts/fuzz (MQ_FUZZ=1, --sanitize=fuzzer): libFuzzer supplies `main`.
#if canImport(Glibc)
import Glibc
#endif
import MQCore
import MQFiles

let path: String = {
    let dir = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp"
    atexit { unlink(path) }
    return "\(dir)/mq-fuzz-files-\(getpid())"
}()

let formats: [FileFormat] = [.json, .ndjson, .csv]
let chunkSizes = [1, 2, 3, 4, 5, 7, 8, 16, 64, whole]
/// Larger than any input libFuzzer makes here (scripts/fuzz caps them at 16 KiB), so one
/// read takes it all, as the default 1 MiB does for ordinary files. Not 1 MiB itself:
/// ASan maps and faults in a fresh megabyte each time, a tenth of the run.
let whole = 1 << 16

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzFiles(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let data, size >= 1 else { return 0 }
    let selector = Int(data[0])
    let format = formats[selector % 3]
    let chunk = chunkSizes[(selector / 3) % chunkSizes.count]
    let batch = 1 + (selector / 30) % 4
    write(UnsafeBufferPointer(start: data + 1, count: size - 1))

    let small = read(format, chunkSize: chunk, batch: batch)
    let all = read(format, chunkSize: whole, batch: 1 << 16)
    guard small.rows == all.rows, small.error == all.error else {
        fatalError("""
            \(format) read with a \(chunk)-byte window differs from a \(whole)-byte one
            small: \(small.rows.count) rows, \(small.error.map(String.init(describing:)) ?? "no error")
            whole: \(all.rows.count) rows, \(all.error.map(String.init(describing:)) ?? "no error")
            """)
    }

    var names = Set<String>()
    for r in all.rows { names.formUnion(r.keys) }
    let parity = (selector / 120) % 2
    let kept = Set(names.sorted().enumerated().filter { $0.offset % 2 == parity }.map(\.element) + ["id"])
    let fields = FieldSet(kept)
    let projected = read(format, chunkSize: chunk, batch: batch, fields: fields)
    let expected = all.rows.map { row in JSONObject(pairs: row.filter { kept.contains($0.key) }.map { ($0.key, $0.value) }) }
    guard projected.rows.count == expected.count, zip(projected.rows, expected).allSatisfy({ $0.keys == $1.keys && $0.values == $1.values }),
          projected.error == all.error
    else {
        fatalError("""
            \(format) read keeping \(kept.sorted()) differs from the whole rows cut down
            kept:  \(projected.rows.count) rows, \(projected.error.map(String.init(describing:)) ?? "no error")
            whole: \(all.rows.count) rows, \(all.error.map(String.init(describing:)) ?? "no error")
            """)
    }
    return 0
}

func read(_ format: FileFormat, chunkSize: Int, batch: Int, fields: FieldSet? = nil) -> (rows: [JSONObject], error: FileError?) {
    var rows: [JSONObject] = []
    let reader: RowReader
    do {
        reader = try RowReader(path: path, format: format, chunkSize: chunkSize, fields: fields)
    } catch {
        fatalError("cannot open \(path): \(error)")
    }
    do {
        while let b = try reader.next(max: batch) {
            guard !b.isEmpty, b.count <= batch else { fatalError("a batch of \(b.count) rows, asked for \(batch)") }
            rows += b
        }
        // The end stays the end.
        if try reader.next(max: batch) != nil { fatalError("rows after the end") }
        return (rows, nil)
    } catch {
        // The error stays the error.
        do {
            _ = try reader.next(max: batch)
            fatalError("the error was not thrown again: \(error)")
        } catch let again {
            guard again == error else { fatalError("another error the second time: \(again) after \(error)") }
        }
        return (rows, error)
    }
}

/// Replaces the file's contents with `bytes`.
func write(_ bytes: UnsafeBufferPointer<UInt8>) {
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
    guard fd >= 0 else { fatalError("cannot write \(path): \(String(cString: strerror(errno)))") }
    var done = 0
    while done < bytes.count {
        let n = Glibc.write(fd, bytes.baseAddress! + done, bytes.count - done)
        if n < 0 { if errno == EINTR { continue }; fatalError("write: \(String(cString: strerror(errno)))") }
        done += n
    }
    close(fd)
}
