import Foundation

extension Thread {
  /// A thread that names itself, so `top -H`, `perf` and core dumps tell it apart. Foundation on
  /// Linux applies `name` only from inside the thread: one set before `start()` is lost, and the
  /// thread keeps its creator's name. Linux keeps at most 15 bytes of it.
  public convenience init(named name: String, _ body: @escaping @Sendable () -> Void) {
    self.init {
      Thread.current.name = name
      body()
    }
  }
}
