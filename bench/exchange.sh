#!/bin/sh
# Benchmarks of knowledge exchange (issue 16), with CPU time next to wall
# time because the wall time of a shared machine says little:
#   - the practice library's search over 100,000 cases on SQLite and (with
#     CITYLENS_TEST_POSTGRES set, as .ci/run sets it) PostgreSQL: mean and
#     99th percentile of a search, this process's CPU a search, the time and
#     heap of loading the search index (the first search of a process);
#   - a partner matching round of 1,000 cities (317,000 scored pairs), and
#     the same with more places (1-5 as learner, 0-6 as mentor);
#   - the prize's judge assignment (2,000 x 100 x 3), on the same solver.
#
#   bench/exchange.sh                 # 300 searches, 3 rounds
#   SEARCHES=1000 ROUNDS=5 bench/exchange.sh
#   CITYLENS_BENCH_EXCHANGE_CASES=20000 bench/exchange.sh
set -eu
cd "$(dirname "$0")/.."
SEARCHES=${SEARCHES:-300}
ROUNDS=${ROUNDS:-3}
echo "# machine: $(nproc) cores, $(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -1), $(go version), load $(cut -d' ' -f1-3 /proc/loadavg)"
go test ./internal/storetest -run '^$' -bench '^BenchmarkExchangeSearch$' -benchtime "${SEARCHES}x" -timeout 60m -v |
	grep -E 'Benchmark|loaded|stored'
go test ./internal/exchange -run '^$' -bench '^BenchmarkMatchRound1000' -benchtime "${ROUNDS}x" | grep -E '^Benchmark'
go test ./internal/judging -run '^$' -bench '^BenchmarkAssign2000x100x3$' -benchtime "${ROUNDS}x" | grep -E '^Benchmark'
echo "# load after: $(cut -d' ' -f1-3 /proc/loadavg)"
