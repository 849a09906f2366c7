package main

import (
	"context"
	"io"
)

func runIndex(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return usagef("index: which command? build, audit, uncertainty or sensitivity")
	}
	switch args[0] {
	case "audit":
		return runIndexAudit(ctx, args[1:], stdout, stderr)
	case "uncertainty":
		return runIndexUncertainty(ctx, args[1:], stdout, stderr)
	case "sensitivity":
		return runIndexSensitivity(ctx, args[1:], stdout, stderr)
	}
	return usagef("index: unknown command %q", args[0])
}
