#!/usr/bin/env bash
# FerretDB v1.24.2 (the MongoDB wire protocol over SQLite), the MongoDB-compatible server the Mongo store's tests run
# against where no MongoDB can be installed. Nothing of it enters the repository: the binary lives in a cache.
#
#   scripts/ferretdb.sh build            build it once (skipped when the binary exists, or when `go` is missing)
#   scripts/ferretdb.sh path             print where the binary is (or would be)
#   scripts/ferretdb.sh run PORT DIR     serve on 127.0.0.1:PORT, keeping data and state in DIR (foreground)
#
# The cache is ${VIGIL_CACHE_DIR:-${XDG_CACHE_HOME:-~/.cache}/vigil}/ferretdb-v1.24.2/.
set -euo pipefail
# Go's usual home, for shells whose PATH does not name it.
PATH="$PATH:/usr/local/go/bin"

VERSION=v1.24.2
MODULE=github.com/FerretDB/FerretDB
CACHE_DIR="${VIGIL_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/vigil}/ferretdb-$VERSION"
BIN="$CACHE_DIR/ferretdb"

build() {
  if [[ -x "$BIN" ]]; then
    echo "ferretdb: $VERSION already built at $BIN"
    return 0
  fi
  if ! command -v go >/dev/null 2>&1; then
    echo "ferretdb: go is not installed, so FerretDB is not built and the MongoDB tests will be skipped"
    return 0
  fi
  local started=$SECONDS src dir
  src="$(mktemp -d)"
  trap 'rm -rf "$src"' RETURN
  # Not `go install …@$VERSION`: that binary panics at start-up, because the generated build/version/version.txt
  # (written from `git describe` by FerretDB's own build) is not part of the module. So: the module's source from the
  # Go module proxy, that one file added, built as the main module. GOTOOLCHAIN=auto fetches a newer Go through the
  # proxy only if the module ever asks for one.
  export GOTOOLCHAIN=auto GOFLAGS=-buildvcs=false
  dir="$(go mod download -json "$MODULE@$VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p')"
  if [[ -z "$dir" || ! -d "$dir" ]]; then
    echo "ferretdb: go mod download $MODULE@$VERSION gave no source directory" >&2
    return 1
  fi
  cp -R "$dir/." "$src/"
  chmod -R u+w "$src"
  printf '%s\n' "$VERSION" >"$src/build/version/version.txt"
  mkdir -p "$CACHE_DIR"
  # Built beside the target and renamed: a concurrent run never sees half a binary.
  (cd "$src" && go build -trimpath -o "$BIN.$$" ./cmd/ferretdb)
  mv "$BIN.$$" "$BIN"
  "$BIN" --version | sed -n 1p
  echo "ferretdb: built $VERSION in $((SECONDS - started)) s at $BIN"
}

run() {
  local port="${1:?usage: scripts/ferretdb.sh run PORT DIR}" dir="${2:?usage: scripts/ferretdb.sh run PORT DIR}"
  if [[ ! -x "$BIN" ]]; then
    echo "ferretdb: not built; run scripts/ferretdb.sh build" >&2
    return 1
  fi
  mkdir -p "$dir/data" "$dir/state"
  # Loopback only, no telemetry, no debug listener (its default port would collide between parallel runs).
  exec "$BIN" \
    --handler=sqlite \
    --sqlite-url="file:$dir/data/" \
    --listen-addr="127.0.0.1:$port" \
    --state-dir="$dir/state" \
    --debug-addr=- \
    --telemetry=disable \
    --log-level=WARN
}

case "${1:-}" in
  build) build ;;
  path) echo "$BIN" ;;
  run) shift && run "$@" ;;
  *)
    sed -n '2,10p' "$0" >&2
    exit 2
    ;;
esac
