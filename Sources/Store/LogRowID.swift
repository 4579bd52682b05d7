/// A log row's id: its revision in the high bits, its place within the revision in the low 20.
/// Rows are then ordered by id alone, in the order they were written, and the log needs no index
/// beside its rowid: one index page fewer written per put.
enum LogRowID {
  static let rowsPerRevision: Int64 = 1 << 20

  /// The smallest id a row of `revision` can have.
  static func first(of revision: Int64) -> Int64 { revision << 20 }

  static func revision(of id: Int64) -> Int64 { id >> 20 }
}
