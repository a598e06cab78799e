#!/usr/bin/env bash
# Stops the processes up.sh started, by the pids it recorded: SIGTERM, and SIGKILL for any still
# running after 10 s. Ledgers and crypto material stay; `rm -rf fabric/build` starts over.
set -uo pipefail
. "$(dirname "$0")/env.sh"
pids=()
for file in "$NATIVE_RUN"/pids/*; do
  [ -e "$file" ] || continue
  pid=$(cat "$file")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" && pids+=("$pid") && echo "stopping $(basename "$file") (pid $pid)"
  fi
  rm -f "$file"
done
for _ in $(seq 1 50); do
  alive=()
  for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive+=("$pid"); done
  [ ${#alive[@]} -eq 0 ] && exit 0
  sleep 0.2
done
for pid in "${alive[@]}"; do kill -KILL "$pid" 2>/dev/null && echo "killed pid $pid"; done
exit 0
