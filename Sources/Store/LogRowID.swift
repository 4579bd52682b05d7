/// A log row's id: its revision in the high bits, its place within the revision in the low 20.
/// Rows are then ordered by id alone, in the order they were written, and the log needs no index
/// beside its rowid: one index page fewer written per put.
enum LogRowID {
  private static let placeBits: Int64 = 20
  static let rowsPerRevision: Int64 = 1 << placeBits

  /// The smallest id a row of `revision` can have.
  static func first(of revision: Int64) -> Int64 { revision << placeBits }

  static func revision(of id: Int64) -> Int64 { id >> placeBits }
}
