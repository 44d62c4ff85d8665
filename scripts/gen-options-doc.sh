#!/usr/bin/env bash
# Regenerates the option reference in docs/configuration.md from the option table
# (src/app/options.cpp): runs `ringhttpd --help-markdown` and puts its output between the
# <!-- options:begin --> and <!-- options:end --> lines. Builds nothing: build first
# (scripts/build.sh). The unit test options_reference fails until this has been run.
#
#     scripts/gen-options-doc.sh [path/to/ringhttpd]    # default: build/ringhttpd
set -euo pipefail
cd "$(dirname "$0")/.."
binary=${1:-build/ringhttpd}
doc=docs/configuration.md

if [ ! -x "$binary" ]; then
  echo "$0: no $binary: build first (scripts/build.sh) or name the binary" >&2
  exit 1
fi
for marker in '<!-- options:begin -->' '<!-- options:end -->'; do
  if [ "$(grep -cxF "$marker" "$doc")" != 1 ]; then
    echo "$0: $doc needs exactly one line '$marker'" >&2
    exit 1
  fi
done

reference=$(mktemp)
spliced=$(mktemp)
trap 'rm -f "$reference" "$spliced"' EXIT
"$binary" --help-markdown >"$reference"
awk -v reference="$reference" '
  $0 == "<!-- options:end -->" { inside = 0 }
  !inside { print }
  $0 == "<!-- options:begin -->" {
    while ((getline line < reference) > 0) print line
    inside = 1
  }
' "$doc" >"$spliced"
cat "$spliced" >"$doc"  # keeps the file's mode and links
echo "updated $doc"
