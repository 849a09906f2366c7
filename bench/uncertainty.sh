#!/bin/sh
# Benchmarks of the uncertainty analysis (the four uncertain inputs of
# METHOD.md: winmax, normalisation, noisy weights, aggregation):
#   ASEM (51 x 49), N = 10,000 replications            COINr: about 850 s
#   synthetic 1,000 x 100 x 3 levels, N = 1,000        COINr: about 590 s
#   synthetic 10,000 x 300 x 4 levels, N = 1,000
# each on 1 and 2 cores (reps/s/core shows the scaling), then the peak resident
# memory of the 10,000 x 300 run, measured by /usr/bin/time -v.
#
#   bench/uncertainty.sh
#   SKIP_LARGE=1 bench/uncertainty.sh     # without the 10,000 x 300 case
set -eu
cd "$(dirname "$0")/.."
echo "# machine: $(nproc) cores, $(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -1), $(go version)"
bin=$(mktemp -d)/engine.test
trap 'rm -rf "$(dirname "$bin")"' EXIT
go test -c -o "$bin" ./internal/engine
cd internal/engine
"$bin" -test.run '^$' -test.bench '^Benchmark(UAASEM|UASynthetic1000x100)$' -test.benchtime 3x
if [ -z "${SKIP_LARGE:-}" ]; then
	"$bin" -test.run '^$' -test.bench '^BenchmarkUASynthetic10000x300$' -test.benchtime 1x
	if [ -x /usr/bin/time ]; then
		/usr/bin/time -v "$bin" -test.run '^$' -test.bench '^BenchmarkUASynthetic10000x300/2cores$' -test.benchtime 1x 2>&1 >/dev/null |
			sed -n 's/^[[:space:]]*Maximum resident set size (kbytes): */# 10000x300x4, N = 1,000, 2 cores: peak RSS (kB) /p'
	fi
fi
