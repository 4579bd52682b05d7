/// Tells, one measuring window at a time, when a process has gone quiet after being busy.
///
/// A window under `idleShare` of a core is quiet, one over `busyShare` busy, and the shares
/// between change nothing, so a process idling near one threshold does not flip back and forth.
/// The first quiet window counts as new: start-up was the busy period before it.
public struct QuietPeriods: Sendable {
  public let idleShare: Double
  public let busyShare: Double
  private var busySinceLastQuiet = true

  public init(idleShare: Double, busyShare: Double) {
    self.idleShare = idleShare
    self.busyShare = busyShare
  }

  /// Records a window in which the process used `share` of one core; true when that window
  /// starts a quiet period.
  public mutating func startsQuietPeriod(share: Double) -> Bool {
    if share > busyShare {
      busySinceLastQuiet = true
    } else if share < idleShare && busySinceLastQuiet {
      busySinceLastQuiet = false
      return true
    }
    return false
  }
}
