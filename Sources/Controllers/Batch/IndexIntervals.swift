/// A set of completion indexes kept as ordered, non-adjacent intervals, written as upstream's
/// `status.completedIndexes` text: "1,3-5,7" (two neighbours are written "1,2", not "1-2").
struct IndexIntervals: Equatable, CustomStringConvertible {
  struct Interval: Equatable {
    var first: Int
    var last: Int
  }

  private(set) var intervals: [Interval] = []

  init(_ intervals: [Interval] = []) { self.intervals = intervals }

  /// Parses the text form, dropping indexes at or above `completions` and skipping
  /// malformed parts as upstream does.
  init(parsing text: String, completions: Int) {
    guard !text.isEmpty else { return }
    for part in text.split(separator: ",", omittingEmptySubsequences: false) {
      let limits = part.split(separator: "-", omittingEmptySubsequences: false)
      guard let first = Int(limits[0]) else { continue }
      if first >= completions { break }
      var last = first
      if limits.count > 1 {
        guard let parsed = Int(limits[1]) else { continue }
        last = min(parsed, completions - 1)
      }
      if let previous = intervals.last, previous.last == first - 1 {
        intervals[intervals.count - 1].last = last
      } else {
        intervals.append(Interval(first: first, last: last))
      }
    }
  }

  /// This set plus `indexes` (given in increasing order).
  func adding(_ indexes: [Int]) -> IndexIntervals {
    merging(IndexIntervals(indexes.map { Interval(first: $0, last: $0) }))
  }

  func merging(_ other: IndexIntervals) -> IndexIntervals {
    var result: [Interval] = []
    func append(_ next: Interval) {
      if let last = result.last, next.first <= last.last + 1 {
        if last.last < next.last { result[result.count - 1].last = next.last }
      } else {
        result.append(next)
      }
    }
    var i = 0
    var j = 0
    let a = intervals
    let b = other.intervals
    while i < a.count && j < b.count {
      if a[i].first < b[j].first {
        append(a[i])
        i += 1
      } else {
        append(b[j])
        j += 1
      }
    }
    while i < a.count {
      append(a[i])
      i += 1
    }
    while j < b.count {
      append(b[j])
      j += 1
    }
    return IndexIntervals(result)
  }

  /// Indexes in both sets.
  func intersection(_ other: IndexIntervals) -> IndexIntervals {
    var result: [Interval] = []
    for a in intervals {
      for b in other.intervals where b.last >= a.first && b.first <= a.last {
        result.append(Interval(first: max(a.first, b.first), last: min(a.last, b.last)))
      }
    }
    return IndexIntervals().merging(IndexIntervals(result.sorted { $0.first < $1.first }))
  }

  var total: Int { intervals.reduce(0) { $0 + $1.last - $1.first + 1 } }

  func contains(_ index: Int) -> Bool {
    var low = 0
    var high = intervals.count
    while high > low {
      let mid = low + (high - low) / 2
      if intervals[mid].last >= index { high = mid } else { low = mid + 1 }
    }
    return high < intervals.count && intervals[high].first <= index
  }

  var description: String {
    var out = ""
    for interval in intervals {
      if !out.isEmpty { out += "," }
      out += String(interval.first)
      if interval.last > interval.first {
        out += interval.last == interval.first + 1 ? "," : "-"
        out += String(interval.last)
      }
    }
    return out
  }
}
