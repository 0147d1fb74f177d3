// Command ferretdb runs an embedded FerretDB with its SQLite handler so that the
// project has a MongoDB-compatible server on machines without mongod. With
// -handler postgresql and -postgresql-url it serves a PostgreSQL database
// instead (used to measure that handler against SQLite; see README "Performance").
//
// It prints exactly one line to stdout once the listener is bound:
//
//	READY mongodb://127.0.0.1:PORT/
//
// and stops on SIGINT/SIGTERM or, with -watch-stdin, when stdin reaches EOF.
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/FerretDB/FerretDB/ferretdb"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:0", "TCP address to listen on; port 0 picks a free port")
	sqliteDir := flag.String("sqlite-dir", "", "existing directory for the SQLite databases (required with -handler sqlite)")
	handler := flag.String("handler", "sqlite", "FerretDB handler: sqlite or postgresql")
	postgresURL := flag.String("postgresql-url", "", "PostgreSQL URL for -handler postgresql, e.g. postgres://127.0.0.1:5432/ferretdb")
	logLevel := flag.String("log-level", "warn", "FerretDB log level: debug, info, warn or error")
	watchStdin := flag.Bool("watch-stdin", false, "exit when stdin is closed (the parent died or let go of us)")
	flag.Parse()

	if err := run(*listen, *handler, *sqliteDir, *postgresURL, *logLevel, *watchStdin); err != nil {
		fmt.Fprintf(os.Stderr, "ferretdb: %v\n", err)
		os.Exit(1)
	}
}

func run(listen, handler, sqliteDir, postgresURL, logLevel string, watchStdin bool) error {
	config := ferretdb.Config{Listener: ferretdb.ListenerConfig{TCP: listen}, Handler: handler}
	// The SQLite directory, for the _id lookup indexes (see id-index.go); empty with PostgreSQL.
	var sqliteAbs string

	switch handler {
	case "sqlite":
		if sqliteDir == "" {
			return fmt.Errorf("-sqlite-dir is required")
		}

		abs, err := filepath.Abs(sqliteDir)
		if err != nil {
			return fmt.Errorf("resolve -sqlite-dir: %w", err)
		}

		// FerretDB refuses a missing directory with a confusing message, so fail early and plainly.
		if fi, err := os.Stat(abs); err != nil || !fi.IsDir() {
			return fmt.Errorf("-sqlite-dir %q must be an existing directory", abs)
		}

		// Building the URL (rather than concatenating) keeps paths with spaces or '%' intact;
		// FerretDB requires the trailing slash to treat the path as a directory.
		config.SQLiteURL = (&url.URL{Scheme: "file", Path: filepath.ToSlash(abs) + "/"}).String()
		sqliteAbs = abs
	case "postgresql":
		if postgresURL == "" {
			return fmt.Errorf("-postgresql-url is required with -handler postgresql")
		}

		config.PostgreSQLURL = postgresURL
	default:
		return fmt.Errorf("-handler must be sqlite or postgresql, got %q", handler)
	}

	var level slog.Level
	if err := level.UnmarshalText([]byte(logLevel)); err != nil {
		return fmt.Errorf("-log-level: %w", err)
	}

	// Logs go to stderr so that stdout carries only the READY line.
	config.Logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))

	f, err := ferretdb.New(&config)
	if err != nil {
		return err
	}

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()

	if watchStdin {
		// A parent killed with SIGKILL cannot signal us, but the kernel closes its end of
		// our stdin pipe; treating EOF as a stop request leaves no orphaned server behind.
		watchCtx, cancel := context.WithCancel(ctx)
		defer cancel()
		ctx = watchCtx

		go func() {
			_, _ = io.Copy(io.Discard, bufio.NewReader(os.Stdin))
			cancel()
		}()
	}

	done := make(chan error, 1)
	go func() { done <- f.Run(ctx) }()
	if sqliteAbs != "" {
		go indexIDsForever(ctx, sqliteAbs, 2*time.Second, config.Logger)
	}

	// The listener is bound inside New, so the address (with the real port when 0 was
	// asked for) is known already and clients that connect now wait in the backlog.
	if _, err := fmt.Fprintf(os.Stdout, "READY %s\n", f.MongoDBURI()); err != nil {
		stop()
		<-done
		return fmt.Errorf("write READY line: %w", err)
	}

	return <-done
}
