package main

import (
	"context"
	"io"

	"github.com/citylens/citylens/internal/engine"
)

// runIndexAudit prints the statistical audit of an index spec as a table.
func runIndexAudit(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return usagef("index audit: not available yet")
}

// writeAuditFiles writes the audit of a build into dir, beside the step CSVs.
func writeAuditFiles(dir string, r *engine.Result) error { return nil }
