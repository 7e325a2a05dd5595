import ArgumentParser
import MQClient
import MQCore
import MQExec

/// `mq --generate-manual mq|mq-language`: the pages `ManPages` writes, mq(1)'s options
/// read from ArgumentParser's own description of the command (`_dumpHelp`), so that the
/// page lists what `--help` lists.
enum ManualText {
    static func page(_ name: String) throws -> String {
        switch name {
        case "mq": return ManPages.command(version: mqVersion, options: try options())
        case "mq-language": return ManPages.language(version: mqVersion)
        default: throw ValidationError("--generate-manual takes mq or mq-language, not `\(name)`")
        }
    }

    /// The options `--help` shows, in its order.
    static func options() throws -> [ManPages.Option] {
        let dump = try JSONParser.parse(MQCommand._dumpHelp())
        guard case .array(let arguments)? = dump["command"]?["arguments"] else {
            throw ValidationError("ArgumentParser's description of mq has no arguments")
        }
        var out: [ManPages.Option] = []
        for a in arguments {
            guard a["shouldDisplay"] == .bool(true), a["kind"]?.stringValue != "positional" else { continue }
            guard case .array(let names)? = a["names"] else { continue }
            let spelled: [String] = names.compactMap { n in
                guard let name = n["name"]?.stringValue else { return nil }
                switch n["kind"]?.stringValue {
                case "long": return "--" + name
                case "short", "longWithSingleDash": return "-" + name
                default: return nil
                }
            }
            guard !spelled.isEmpty else { continue }
            let value = a["kind"]?.stringValue == "option" ? a["valueName"]?.stringValue : nil
            out.append(ManPages.Option(names: spelled, value: value, help: a["abstract"]?.stringValue ?? ""))
        }
        return out
    }
}
