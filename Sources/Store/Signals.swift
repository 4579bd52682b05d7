import SkiffCore

/// The background loops' wake-ups.
struct Signals: Sendable {
  let follow = AsyncSignal()
  let compact = AsyncSignal()
  let leases = AsyncSignal()

  func stop() {
    follow.stop()
    compact.stop()
    leases.stop()
  }
}
