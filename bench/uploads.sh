#!/bin/sh
# Hostile uploads against a real server (the hardening issue's cases 1-4):
# builds citylens, serves the demo network, uploads each bomb as Seoul's
# focal point and prints the answer, its time and the server's peak memory
# above idle. Targets: each answered within 2 s, under 200 MB above idle.
#
#   bench/uploads.sh
set -eu
cd "$(dirname "$0")/.."
go run ./bench/uploads "$@"
