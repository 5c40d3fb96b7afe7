import Foundation

// wloadctl-bench: `make bench`. See Benchmark.swift for what it measures and docs/performance.md
// for the numbers.
exit(await Benchmark.main(environment: ProcessInfo.processInfo.environment))
