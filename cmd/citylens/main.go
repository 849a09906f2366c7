// Command citylens is the CityLens platform: one binary with subcommands.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/citylens/citylens"
)

const usage = `citylens: the platform of a network of smart cities.

Usage:
  citylens serve [flags]                 start the web platform (see citylens serve -h)
  citylens index build SPEC --out DIR    build a composite index, one CSV per pipeline step
  citylens index audit SPEC              print the statistical audit of an index
  citylens index uncertainty SPEC ...    uncertainty analysis: every unit's rank with its band
  citylens index sensitivity SPEC ...    sensitivity analysis: Sobol indices of each uncertain input
  citylens migrate                       apply database migrations
  citylens user add ...                  add a user (e.g. the first admin)
  citylens import members FILE           import member cities from CSV
  citylens backup FILE                   consistent online copy of the SQLite database
  citylens export site RELEASE --out DIR a published release as a static site for a CDN
  citylens version                       print the version
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// run executes one command and returns the process exit code: 0 on success, 2
// for a usage error, 1 for any other error.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	var err error
	switch args[0] {
	case "index":
		err = runIndex(ctx, args[1:], stdout, stderr)
	case "serve":
		err = runServe(ctx, args[1:], stdout, stderr)
	case "migrate":
		err = runMigrate(ctx, args[1:], stdout, stderr)
	case "user":
		err = runUser(ctx, args[1:], stdout, stderr)
	case "import":
		err = runImport(ctx, args[1:], stdout, stderr)
	case "backup":
		err = runBackup(ctx, args[1:], stdout, stderr)
	case "export":
		err = runExport(ctx, args[1:], stdout, stderr)
	case "version":
		fmt.Fprintln(stdout, "citylens", version)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
	default:
		fmt.Fprintf(stderr, "citylens: unknown command %q\n\n%s", args[0], usage)
		return 2
	}
	if err == nil {
		return 0
	}
	var ue *usageError
	if errors.As(err, &ue) || errors.Is(err, flag.ErrHelp) {
		if ue != nil {
			fmt.Fprintln(stderr, "citylens:", ue.msg)
		}
		return 2
	}
	fmt.Fprintln(stderr, "citylens:", citylens.ErrorMessage(err))
	if e := citylens.AsError(err); e != nil && len(e.Problems) > 5 { // the message names the first few
		for _, p := range e.Problems {
			fmt.Fprintln(stderr, "  "+p.String())
		}
	}
	if citylens.ErrorCode(err) == citylens.EINTERNAL {
		fmt.Fprintln(stderr, "  cause:", err)
	}
	return 1
}

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

// usageError is a command line the command cannot run.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}
