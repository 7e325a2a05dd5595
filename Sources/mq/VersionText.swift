import CEdit
import Foundation
import MQClient

/// `mq --version`, as `curl --version` reads: mq's version and the commit it was built
/// from (`BuildInfo`, a build plugin), then the libraries it runs with, libcurl by its own
/// report and libedit by its headers' version and the file the loader opened.
enum VersionText {
    static var text: String {
        ["mq \(mqVersion) (commit \(mqCommit))", libcurlVersion(), libedit].joined(separator: "\n")
    }

    static var libedit: String {
        var line = "libedit \(LIBEDIT_MAJOR).\(LIBEDIT_MINOR)"
        // The file the loader mapped, through its symlink: libedit.so.2.0.70.
        // (/proc files report a size of 0, so they are read to their end, not by size.)
        if let maps = try? FileHandle(forReadingFrom: URL(fileURLWithPath: "/proc/self/maps")).readToEnd(),
           let path = String(decoding: maps, as: UTF8.self).split(separator: "\n")
               .compactMap({ $0.split(separator: " ").last }).first(where: { $0.contains("/libedit.") })
        {
            line += " (" + (path.split(separator: "/").last.map(String.init) ?? String(path)) + ")"
        }
        return line
    }
}
