import CRuntime
import Foundation
import SkiffCLI

// glibc gives each thread that allocates an arena of its own, up to eight per core, and keeps
// what each one grew to. One arena per core keeps an agent with ten pods 7 MB smaller
// (BENCHMARKS.md). MALLOC_ARENA_MAX in the environment still wins.
if ProcessInfo.processInfo.environment["MALLOC_ARENA_MAX"] == nil {
  _ = skiff_set_malloc_arenas(Int32(max(2, ProcessInfo.processInfo.activeProcessorCount)))
}

IdlePageRelease.start()

await SkiffCommand.run(
  arguments: Array(CommandLine.arguments.dropFirst()), environment: ProcessInfo.processInfo.environment)
