package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/citylens/citylens/internal/app"
	"github.com/citylens/citylens/internal/demo"
	"github.com/citylens/citylens/internal/siteexport"
	"github.com/citylens/citylens/internal/web"
)

// runExport: citylens export site RELEASE --out DIR [--live URL]: a
// published release as a static site (internal/siteexport).
func runExport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "site" {
		return usagef("export: usage: citylens export site RELEASE --out DIR [--live URL] [--demo]")
	}
	var c platformConfig
	var out, live string
	fs := flag.NewFlagSet("export site", flag.ContinueOnError)
	fs.SetOutput(stderr)
	bindDatabaseFlags(fs, &c)
	fs.StringVar(&out, "out", "", "directory to write the site to")
	fs.StringVar(&live, "live", "", "the live server's address, e.g. https://citylens.example.org (the what-if and views not in the copy link there)")
	fs.BoolVar(&c.Demo, "demo", false, "seed the demo network first, as serve --demo does, and label its pages as demo data")
	// RELEASE may come before or after the flags.
	rest := args[1:]
	release := ""
	if len(rest) > 0 && len(rest[0]) > 0 && rest[0][0] != '-' {
		release, rest = rest[0], rest[1:]
	}
	set, err := parseFlags(fs, rest)
	if err != nil {
		return err
	}
	if release == "" && fs.NArg() == 1 {
		release = fs.Arg(0)
	} else if fs.NArg() > 0 {
		return usagef("export site: unexpected argument %q", fs.Arg(0))
	}
	if release == "" || out == "" {
		return usagef("export site: name a release (its hash, or latest) and --out DIR")
	}
	if err := c.fromEnv(set, os.Getenv); err != nil {
		return err
	}
	log := newLogger(io.Discard)
	db, err := openStore(ctx, &c, log)
	if err != nil {
		return err
	}
	defer db.Close()
	// The export is the server's own reader (no fair-use limit), and it
	// asks for each page once: the page caches would only hold the whole
	// site in memory for nothing (ExplorerCacheBytes 1 keeps no page).
	a, err := app.New(web.Config{Store: db, Logger: log, BaseURL: c.BaseURL, Demo: c.Demo, ExplorerCacheBytes: 1,
		FairUse: web.FairUse{Anonymous: 1 << 30, Token: 1 << 30}})
	if err != nil {
		return err
	}
	if c.Demo {
		sv := a.Services
		if _, err := demo.Seed(ctx, demo.Services{Store: db, Members: sv.Members, Accounts: sv.Accounts, Catalogue: sv.Catalogue,
			DataCall: sv.DataCall, Publication: sv.Publication, Log: log}); err != nil {
			return err
		}
	}
	start := time.Now()
	res, err := siteexport.Export(ctx, siteexport.Options{Handler: a.Server.Handler(), Release: release, Out: out, LiveURL: live})
	if err != nil {
		return err
	}
	latest := ""
	if res.Latest {
		latest = " (the latest: its /rankings, /cities/… and /api/v1/releases/latest/… too)"
	}
	fmt.Fprintf(stdout, "release %s%s: %d files, %.1f MB in %s, in %s\n", res.Hash, latest, res.Files, float64(res.Bytes)/1e6, out,
		time.Since(start).Round(time.Millisecond))
	return nil
}
