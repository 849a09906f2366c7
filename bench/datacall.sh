#!/bin/sh
# Benchmarks of the data call, on SQLite and (with CITYLENS_TEST_POSTGRES set,
# as .ci/run sets it) PostgreSQL:
#   - parse and check an uploaded XLSX of 1,000 cities x 300 indicators
#     (300,000 values), no database;
#   - the same upload end to end: parse, check, write every value and its
#     audit entry in one transaction;
#   - the review queue and the coverage board of 1,000 cities x 300
#     indicators, rendered through HTTP for the secretariat.
#
#   bench/datacall.sh              # 3 runs of the parse, 1 of the import, 30 page views
#   COUNT=1 bench/datacall.sh
set -eu
cd "$(dirname "$0")/.."
COUNT=${COUNT:-3}
echo "# machine: $(nproc) cores, $(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -1), $(go version), load $(cut -d' ' -f1-3 /proc/loadavg)"
go test ./internal/datacall -run '^$' -bench '^BenchmarkParseValidateXLSX$' -benchtime "${COUNT}x" -benchmem | grep Benchmark
go test ./internal/storetest -run '^$' -bench '^BenchmarkDataCallImport$' -benchtime 1x -benchmem -timeout 30m | grep Benchmark
go test ./internal/web -run '^$' -bench '^BenchmarkDataCallBoards$' -benchtime 30x -timeout 30m | grep Benchmark
