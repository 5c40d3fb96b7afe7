#!/usr/bin/env bash
# The end-to-end demo behind `make demo`: start the local stack, create two tenants, store every
# example workflow for both, run each once per tenant, show progress, print a summary, stop the
# stack. Exits 0 only when every run succeeded. Expects the release build (`make release`) unless
# WLOADCTL points at another wloadctl binary.
set -euo pipefail
cd "$(dirname "$0")/.."

wloadctl="${WLOADCTL:-.build/release/wloadctl}"
timeout="${DEMO_TIMEOUT:-300}"
tenants=(acme globex)

if [ ! -x "$wloadctl" ]; then
  echo "error: $wloadctl is not built; run \`make release\` (or \`make demo\`)" >&2
  exit 1
fi

stop_stack() {
  echo
  echo "== stopping the stack"
  "$wloadctl" stack down || echo "warning: stopping the stack failed; see .wloadctl/log" >&2
}
trap stop_stack EXIT

echo "== starting the local stack"
"$wloadctl" stack up

echo
echo "== tenants"
# Only existing tenants can be acted for; a rerun of the demo finds them already there.
weight=1
for tenant in "${tenants[@]}"; do
  if ! "$wloadctl" tenant show "$tenant" >/dev/null 2>&1; then
    "$wloadctl" tenant create "$tenant" --weight "$weight"
  fi
  weight=$(( weight + 1 ))
done
"$wloadctl" tenant list

runs=()
for tenant in "${tenants[@]}"; do
  echo
  echo "== tenant $tenant: applying examples/*.json"
  for file in examples/*.json; do
    applied="$("$wloadctl" --tenant "$tenant" workflow apply "$file")"
    echo "$applied"
    # "workflow <name> version <n> stored" / "workflow <name> unchanged (version <n>)"
    name="$(awk '{ print $2 }' <<<"$applied")"
    id="$("$wloadctl" --tenant "$tenant" run start "$name")"
    echo "started run $id of $name"
    runs+=("$tenant/$id")
  done
done

echo
echo "== waiting for ${#runs[@]} runs"
status=0
"$wloadctl" run wait --timeout "$timeout" "${runs[@]}" || status=$?

echo
echo "== summary"
"$wloadctl" run summary "${runs[@]}" || status=$(( status == 0 ? 1 : status ))

echo
if [ "$status" -eq 0 ]; then
  echo "demo succeeded: every run succeeded"
else
  echo "demo failed: not every run succeeded (exit $status)" >&2
fi
exit "$status"
