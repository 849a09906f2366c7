package main

import (
	"context"
	"io"
)

// The platform commands arrive with the platform-core work.

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return usagef("serve: not available in this build yet")
}

func runMigrate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return usagef("migrate: not available in this build yet")
}

func runUser(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return usagef("user: not available in this build yet")
}

func runImport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return usagef("import: not available in this build yet")
}

func runBackup(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return usagef("backup: not available in this build yet")
}
