#!/usr/bin/env bash
# Nightly backup of the production database (see README, "Running in production").
# Run from cron as a user that can read /etc/jan-sahayak.env, e.g.
#   15 2 * * *  /opt/jan-sahayak/scripts/deploy/backup.sh /var/backups/jan-sahayak
# Keeps 14 days of compressed archives; restore one with
#   mongorestore --uri "$MONGODB_URI" --gzip --archive=FILE --drop
set -euo pipefail
dest=${1:?usage: backup.sh DEST_DIR}
set -a
# shellcheck disable=SC1091
. /etc/jan-sahayak.env
set +a
: "${MONGODB_URI:?MONGODB_URI must be set in /etc/jan-sahayak.env}"
mkdir -p "$dest"
file="$dest/jan-sahayak-$(date -u +%Y%m%dT%H%M%SZ).archive.gz"
mongodump --uri "$MONGODB_URI" --gzip --archive="$file.part"
mv "$file.part" "$file"
find "$dest" -name 'jan-sahayak-*.archive.gz' -mtime +14 -delete
