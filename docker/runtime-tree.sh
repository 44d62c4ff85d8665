#!/bin/sh
# Run in docker/Dockerfile's build stage: assembles in $1 the whole runtime image, since its
# FROM scratch stage has no shell to do it: the binary $2, exactly the shared libraries it loads
# (ldd) at the paths the loader looks in, the loader, the licences of all of them, a non-root
# user, the config and the site (copied in by the Dockerfile).
set -eu
R=$1
BIN=$2
install -D -m 0755 "$BIN" "$R/usr/local/bin/ringhttpd"
install -D -m 0644 LICENSE "$R/usr/share/doc/ringhttpd/LICENSE"

# The copyright file of the package that owns library $1. Paths ldd prints under /lib are known
# to dpkg by their /usr/lib name or the other way round (merged /usr). A library package's doc
# folder may be a symlink to that of a package of the same source it depends on (Debian policy
# 12.5: libstdc++6 -> gcc-12-base), which slim images drop with the rest of /usr/share/doc.
copyright_of() {
  pkg=$( (dpkg -S "$1" 2>/dev/null || dpkg -S "$(readlink -f "$1")") | head -n 1 | cut -d: -f1)
  for p in "$pkg" $(dpkg-query -W -f='${Depends}' "$pkg" | tr ',' '\n' | awk '{print $1}'); do
    if [ -f "/usr/share/doc/${p%:*}/copyright" ]; then
      echo "$pkg /usr/share/doc/${p%:*}/copyright"
      return
    fi
  done
  echo "no copyright file for $1 (package $pkg)" >&2
  exit 1
}

for lib in $(ldd "$BIN" | grep -o '/[^ ]*'); do
  mkdir -p "$R$(dirname "$lib")"
  cp -L "$lib" "$R$lib"
  found=$(copyright_of "$lib") # "PACKAGE FILE"; set -e stops here when there is none
  install -D -m 0644 "${found#* }" "$R/usr/share/doc/${found%% *}/copyright"
done

echo 'root:x:0:0:root:/root:/sbin/nologin' > "$R/etc/passwd"
echo 'ringhttpd:x:10001:10001:ringhttpd:/nonexistent:/sbin/nologin' >> "$R/etc/passwd"
printf 'root:x:0:\nringhttpd:x:10001:\n' > "$R/etc/group"
mkdir -m 1777 "$R/tmp"
chmod -R a+rX "$R/srv/www" "$R/etc/ringhttpd"
