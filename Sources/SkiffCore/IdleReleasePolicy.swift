/// Decides, one measuring window at a time, when a quiet process should hand its executable's
/// pages back to the kernel.
///
/// A window under `idleShare` of a core is quiet. A release is due in a quiet window once the
/// process faulted in `faultsBetweenReleases` pages since the last one (start-up counts as
/// enough): the pages that came back after a release are the working set it measured, and
/// releasing them again would only make them come back again.
public struct IdleReleasePolicy: Sendable {
  public let idleShare: Double
  public let faultsBetweenReleases: Int
  private var faultsSinceRelease: Int

  public init(idleShare: Double, faultsBetweenReleases: Int) {
    self.idleShare = idleShare
    self.faultsBetweenReleases = faultsBetweenReleases
    faultsSinceRelease = faultsBetweenReleases
  }

  /// Records a window in which the process used `share` of one core and took `faults` page
  /// faults; true when the pages should be released now.
  public mutating func releaseDue(share: Double, faults: Int) -> Bool {
    faultsSinceRelease += faults
    guard share < idleShare, faultsSinceRelease >= faultsBetweenReleases else { return false }
    faultsSinceRelease = 0
    return true
  }
}
