#!/usr/bin/env bash
# Installs the Debian packages the build, the local stack and the tests need — only the missing
# ones, so `make demo` / `make test` cost nothing on a machine that already has them.
set -euo pipefail

packages=(
  librdkafka-dev libpq-dev libmicrohttpd-dev libsodium-dev libcurl4-openssl-dev
  postgresql postgresql-contrib curl
)

missing=()
for package in "${packages[@]}"; do
  if ! dpkg -s "$package" 2>/dev/null | grep -q '^Status: install ok installed'; then
    missing+=("$package")
  fi
done
[ "${#missing[@]}" -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
  sudo=()
elif command -v sudo >/dev/null 2>&1; then
  sudo=(sudo)
else
  echo "error: missing Debian packages: ${missing[*]}; run as root or install sudo" >&2
  exit 1
fi

echo "installing missing Debian packages: ${missing[*]}"
"${sudo[@]}" apt-get update
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
