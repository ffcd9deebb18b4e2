#!/usr/bin/env bash
# Proves that a backup of the site's PostgreSQL database restores: dumps it with pg_dump
# (custom format, the format README.md uses for backups), restores the dump into a scratch
# database on the same server, compares every table's row count and content checksum, and
# drops the scratch database. Exit 0 only when the restored copy matches.
#
#   scripts/backup_restore_check.sh [postgres://user:password@host:5432/name]  (default: $DATABASE_URL)
#
# Needs pg_dump, pg_restore and psql no older than the server, and the right to create databases.
set -euo pipefail

url="${1:-${DATABASE_URL:-}}"
case "$url" in
  postgres://*/* | postgresql://*/*) ;;
  *) echo "usage: $0 postgres://user@host:port/dbname (or set DATABASE_URL)" >&2; exit 2 ;;
esac

base="${url%%\?*}"
query=""
if [ "$base" != "$url" ]; then query="?${url#*\?}"; fi
server="${base%/*}"
dbname="${base##*/}"
scratch="${dbname}_restore_check"
work="$(mktemp -d)"
export PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning"

drop_scratch() {
  psql "${server}/postgres${query}" -qAt -v ON_ERROR_STOP=1 \
    -c "DROP DATABASE IF EXISTS \"${scratch}\"" >/dev/null
}
cleanup() {
  drop_scratch || true
  rm -rf "$work"
}
trap cleanup EXIT

# One line per table: name, row count and an md5 of all its rows in a stable order.
fingerprint() {
  psql "$1" -qAt -v ON_ERROR_STOP=1 <<'SQL'
SELECT table_name || ' ' || (xpath('/row/c/text()', query_to_xml(format(
         'SELECT count(*) || '' '' || md5(coalesce(string_agg(t::text, chr(10) ORDER BY t::text), '''')) AS c FROM %I.%I t',
         table_schema, table_name), false, true, '')))[1]::text
FROM information_schema.tables
WHERE table_schema = 'public' AND table_type = 'BASE TABLE'
ORDER BY table_name;
SQL
}

echo "backup: pg_dump ${dbname}"
pg_dump --format=custom --no-owner --no-privileges --file="${work}/backup.dump" "$url"

echo "restore: into ${scratch}"
drop_scratch
psql "${server}/postgres${query}" -qAt -v ON_ERROR_STOP=1 -c "CREATE DATABASE \"${scratch}\"" >/dev/null
pg_restore --no-owner --no-privileges --exit-on-error \
  --dbname="${server}/${scratch}${query}" "${work}/backup.dump"

fingerprint "$url" >"${work}/original"
fingerprint "${server}/${scratch}${query}" >"${work}/restored"
if ! diff -u "${work}/original" "${work}/restored"; then
  echo "FAILED: the restored copy differs from ${dbname} (diff above)" >&2
  exit 1
fi
echo "OK: $(wc -l <"${work}/original") tables restored with identical rows"
