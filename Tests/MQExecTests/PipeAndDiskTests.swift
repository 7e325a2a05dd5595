import Foundation
import MQCore
import MQTestSupport
import Testing

/// Where the output goes can fail: a reader that leaves (`| head -1`), a full device, a
/// file-size limit. mq stops fetching when nobody reads, says so when the bytes are
/// lost, and never leaves a partial file.
@Suite struct PipeAndDiskTests {
    /// 30 pages of 100 customers.
    static func sim() throws -> SimProcess { try SimProcess(["--contacts", "3000", "--orgs", "1"]) }

    static func requests(_ sim: SimProcess) throws -> Int {
        try JSONParser.parse(CurlClient().get(sim.url + "/_sim/stats").body)["requests"]!.intValue!
    }

    static func tempDir() throws -> URL {
        let d = FileManager.default.temporaryDirectory.appendingPathComponent("mq-disk-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
        return d
    }

    /// `mq -c 'customers' | head -1` in a real shell pipeline: exit 0 (or 141, killed by
    /// SIGPIPE, which mq ignores), nothing on stderr. A streaming format stops fetching
    /// once the reader has gone; a table must see every row before its first line (its
    /// column widths), so it fetches them all and then ends just as quietly.
    @Test(arguments: [("csv", true), ("ndjson", true), ("table", false)])
    func headOneEndsQuietly(format: String, stopsEarly: Bool) throws {
        let sim = try Self.sim()
        let dir = try Self.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try Spawned.run(
            ["-c", #""$0" --format "$1" -c customers 2>"$2/err" | head -1 >"$2/out"; echo "${PIPESTATUS[0]}" >"$2/status""#,
             CLITests.binary, format, dir.path],
            env: Spawned.environment(sim: sim), executable: "/bin/bash", timeout: 60)
        #expect(r.status == 0, "\(r.summary)")
        let status = try String(contentsOf: dir.appendingPathComponent("status"), encoding: .utf8)
        let err = try String(contentsOf: dir.appendingPathComponent("err"), encoding: .utf8)
        let out = try String(contentsOf: dir.appendingPathComponent("out"), encoding: .utf8)
        #expect(["0\n", "141\n"].contains(status), "mq exited \(status)")
        #expect(err.isEmpty, "stderr: \(err)")
        #expect(out.split(separator: "\n").count == 1 && !out.isEmpty)
        let n = try Self.requests(sim)
        if stopsEarly {
            #expect(n <= 10, "stopped fetching: \(n) of 30 pages")
        } else {
            #expect(n == 30, "a table reads every page first: \(n)")
        }
    }

    /// Standard output on a full device: the results are lost, so mq says so and fails;
    /// a streaming result stops fetching at the first failed write.
    @Test(arguments: [("ndjson", "customers", true), ("table", "summary | select contacts", false),
                      ("csv", "customers | count", false)])
    func stdoutToDevFullIsAnError(format: String, query: String, stops: Bool) throws {
        let sim = try Self.sim()
        let r = try Spawned.run(["--format", format, "-c", query], env: Spawned.environment(sim: sim),
                                stdoutPath: "/dev/full", timeout: 60)
        #expect(r.endedCleanly, "\(r.summary)")
        #expect(r.status == 1, "\(r.summary)")
        #expect(r.err.contains("error: cannot write to standard output: No space left on device"), "\(r.summary)")
        if stops { #expect(try Self.requests(sim) <= 5, "stopped fetching") }
    }

    /// The same through a script: the statement after the failed one does not run.
    @Test func aFailedWriteEndsTheScript() throws {
        let sim = try Self.sim()
        let r = try Spawned.run(["-c", "summary | select contacts; billing | select plan"], env: Spawned.environment(sim: sim),
                                stdoutPath: "/dev/full")
        #expect(r.status == 1, "\(r.summary)")
        #expect(r.err.components(separatedBy: "cannot write to standard output").count == 2, "said once: \(r.summary)")
        let stats = try JSONParser.parse(CurlClient().get(sim.url + "/_sim/stats").body)
        #expect(stats["routes"]?["GET /organizations/:orgId/reports/billing"] == nil, "billing never ran: \(stats)")
    }

    /// `save` (and `.output`) to /dev/full through the binary: non-zero, a message naming
    /// the file, and the device still a device.
    @Test func saveAndOutputToDevFullAreErrors() throws {
        let sim = try Self.sim()
        let dir = try Self.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let save = try Spawned.run(["-c", #"customers | format csv | save "/dev/full""#], env: Spawned.environment(sim: sim),
                                   directory: dir.path)
        #expect(save.status == 1, "\(save.summary)")
        #expect(save.err.contains("cannot write /dev/full") && save.err.contains("No space left on device"), "\(save.summary)")
        let output = try Spawned.run(["-c", ".output /dev/full; customers | limit 500"], env: Spawned.environment(sim: sim),
                                     directory: dir.path)
        #expect(output.status == 1, "\(output.summary)")
        #expect(output.err.contains("No space left on device"), "\(output.summary)")
        var st = stat()
        #expect(stat("/dev/full", &st) == 0 && (st.st_mode & S_IFMT) == S_IFCHR)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).isEmpty, "nothing left behind")
    }

    /// A disk that fills mid-file, simulated with a file-size limit (`ulimit -f`, so the
    /// write fails with EFBIG as it would with ENOSPC): `save` fails with a message, and
    /// leaves neither a partial file nor its temporary, and an older file stays whole.
    @Test func aSaveThatRunsOutOfRoomLeavesNoPartialFile() throws {
        let sim = try Self.sim()
        let dir = try Self.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        try "old\n".write(to: dir.appendingPathComponent("kept.csv"), atomically: true, encoding: .utf8)
        // 64 blocks (32 KB with sh's 512-byte blocks); 3,000 rows of csv are about 1.4 MB.
        for (target, before) in [("new.csv", ["kept.csv"]), ("kept.csv", ["kept.csv"])] {
            let r = try Spawned.run(["-c", #"ulimit -f 64; exec "$0" -c "customers | save \"$1\"""#, CLITests.binary, target],
                                    env: Spawned.environment(sim: sim), executable: "/bin/sh", directory: dir.path)
            #expect(r.endedCleanly && r.signal == nil, "not killed by SIGXFSZ: \(r.summary)")
            #expect(r.status == 1, "\(r.summary)")
            #expect(r.err.contains("cannot write") && r.err.contains(target) && r.err.contains("nothing was saved"), "\(r.summary)")
            #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == before, "no partial file, no temporary")
            #expect(try String(contentsOf: dir.appendingPathComponent("kept.csv"), encoding: .utf8) == "old\n")
        }
        // Within the limit the same save succeeds: the limit, not the statement, failed it.
        let small = try Spawned.run(["-c", #"ulimit -f 64; exec "$0" -c "customers | limit 5 | save \"small.csv\"""#, CLITests.binary],
                                    env: Spawned.environment(sim: sim), executable: "/bin/sh", directory: dir.path)
        #expect(small.status == 0, "\(small.summary)")
        #expect(try String(contentsOf: dir.appendingPathComponent("small.csv"), encoding: .utf8).split(separator: "\n").count == 6)
    }
}
