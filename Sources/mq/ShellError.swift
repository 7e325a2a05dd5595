/// The error of the mq executable, one message: printed as `mq: …` when mq cannot start
/// (status 2), and shown by the session when `.org` or `.profile` fails. The messages are
/// static factories next to the code that throws them.
struct ShellError: Error, CustomStringConvertible, Sendable {
    let description: String
    init(_ description: String) { self.description = description }
}
