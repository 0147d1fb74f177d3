package main

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	_ "modernc.org/sqlite" // the SQLite driver FerretDB itself uses (registers "sqlite")
)

// idIndexSuffix names the index this helper adds to each collection's table.
const idIndexSuffix = "_jansahayak_id"

// FerretDB 1.24's SQLite backend looks documents up by `_id` (finds, and every
// update and delete) with `WHERE _ferretdb_sjson->'$._id' = ?`, while the
// unique index it creates is on `_ferretdb_sjson->"_id"`. SQLite only uses an
// index on an expression written the same way, so every such command scans
// the table: a find by `_id` costs in proportion to the row's position (a miss
// reads every row) and an update or delete by `_id` reads the whole table.
// An index on exactly the expression FerretDB queries with turns each of them
// into an index search (measured: 100,000 documents of 1 KB, findOne by `_id`
// 1–3 ms instead of up to 70 ms per 20,000 rows; updateOne 2 ms instead of
// 100 ms per 20,000). It changes no result, only the plan; FerretDB never sees
// it (its index list lives in its own metadata table) and it goes with the
// table when a collection or database is dropped.

// indexIDsForever adds the index to every collection table of every database
// under dir, now and then every interval (collections appear when first
// written), until ctx ends. Failures are logged and retried on the next pass.
func indexIDsForever(ctx context.Context, dir string, interval time.Duration, logger *slog.Logger) {
	seen := map[string]string{}
	for {
		indexIDsOnce(ctx, dir, seen, logger)
		select {
		case <-ctx.Done():
			return
		case <-time.After(interval):
		}
	}
}

// indexIDsOnce makes one pass over the database files of dir. seen remembers
// each file's size and modification time (and its write-ahead log's) when it
// was last found complete, so an unchanged database is not opened again.
func indexIDsOnce(ctx context.Context, dir string, seen map[string]string, logger *slog.Logger) {
	files, err := filepath.Glob(filepath.Join(dir, "*.sqlite"))
	if err != nil {
		return
	}
	for _, file := range files {
		stamp := fileStamp(file) + fileStamp(file+"-wal")
		if seen[file] == stamp {
			continue
		}
		created, err := indexIDsIn(ctx, file)
		if err != nil {
			logger.WarnContext(ctx, "cannot add the _id lookup index", slog.String("file", filepath.Base(file)), slog.String("error", err.Error()))
			continue
		}
		if created > 0 {
			logger.DebugContext(ctx, "added _id lookup indexes", slog.String("file", filepath.Base(file)), slog.Int("indexes", created))
			stamp = fileStamp(file) + fileStamp(file+"-wal")
		}
		seen[file] = stamp
	}
}

func fileStamp(path string) string {
	fi, err := os.Stat(path)
	if err != nil {
		return "-;"
	}
	return fmt.Sprintf("%d@%d;", fi.Size(), fi.ModTime().UnixNano())
}

// indexIDsIn adds the missing indexes in one database file and says how many it created.
func indexIDsIn(ctx context.Context, file string) (int, error) {
	// mode=rw: never create a file FerretDB has just removed (a dropped database).
	uri := (&url.URL{Scheme: "file", Path: file, RawQuery: "mode=rw&_pragma=busy_timeout(10000)"}).String()
	db, err := sql.Open("sqlite", uri)
	if err != nil {
		return 0, err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)

	// A database FerretDB is still creating has no metadata table yet: nothing to do.
	rows, err := db.QueryContext(ctx, `SELECT c.table_name FROM _ferretdb_collections c
		WHERE NOT EXISTS (SELECT 1 FROM sqlite_master m WHERE m.type = 'index' AND m.name = c.table_name || ?)`, idIndexSuffix)
	if err != nil {
		if strings.Contains(err.Error(), "no such table") {
			return 0, nil
		}
		return 0, err
	}
	var tables []string
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			rows.Close()
			return 0, err
		}
		tables = append(tables, t)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}

	created := 0
	for _, t := range tables {
		q := fmt.Sprintf(`CREATE INDEX IF NOT EXISTS %q ON %q (_ferretdb_sjson->'$._id')`, t+idIndexSuffix, t)
		if _, err := db.ExecContext(ctx, q); err != nil {
			// The collection was dropped between the listing and now.
			if strings.Contains(err.Error(), "no such table") {
				continue
			}
			return created, err
		}
		created++
	}
	return created, nil
}
