#!/bin/sh
# Benchmarks of `citylens index build`'s engine: ASEM (51 x 49, 4 levels),
# synthetic 1,000 units x 100 indicators x 3 levels and 10,000 x 300 x 4.
# Prints go test's figures (ns/op, peak live heap of one build, allocations),
# then the peak resident memory of a process that builds 10,000 x 300 x 4 once
# (generating the data included), measured by /usr/bin/time -v.
#
#   bench/build.sh            # 5 runs of each benchmark, 2 s each
#   COUNT=1 TIME=1s bench/build.sh
set -eu
cd "$(dirname "$0")/.."
COUNT=${COUNT:-5}
TIME=${TIME:-2s}
echo "# machine: $(nproc) cores, $(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -1), $(go version)"
bin=$(mktemp -d)/engine.test
trap 'rm -rf "$(dirname "$bin")"' EXIT
go test -c -o "$bin" ./internal/engine
(cd internal/engine && "$bin" -test.run '^$' -test.bench '^BenchmarkBuild' -test.benchtime "$TIME" -test.count "$COUNT" -test.benchmem)
if [ -x /usr/bin/time ]; then
	(cd internal/engine && /usr/bin/time -v "$bin" -test.run '^$' -test.bench '^BenchmarkBuildSynthetic10000x300$' -test.benchtime 1x 2>&1 >/dev/null |
		sed -n 's/^[[:space:]]*Maximum resident set size (kbytes): */# 10000x300x4, one build: peak RSS (kB) /p')
fi
