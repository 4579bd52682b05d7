/// A place in the log, whose rows are ordered by revision, then key: one revision can hold many
/// rows (a range delete), so work that must stay small walks the log by position, not revision.
struct LogPosition: Sendable {
  var revision: Int64
  var key: [UInt8]
}
