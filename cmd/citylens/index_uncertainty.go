package main

import (
	"context"
	"io"
)

// runIndexUncertainty runs the uncertainty analysis of an index spec.
func runIndexUncertainty(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return usagef("index uncertainty: not available yet")
}

// runIndexSensitivity runs the sensitivity analysis of an index spec.
func runIndexSensitivity(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return usagef("index sensitivity: not available yet")
}
