#!/usr/bin/env bash
# A real Ctrl-C in a terminal during an ingest: tmux types C-c into the pane (SIGINT to the whole
# foreground process group: the CLI, its temporary Prefect server and the batch workers), then this
# prints how long the CLI took to exit, its status, what it printed, what processes are left, and
# whether the next ingest converges. Usage: bench/ctrl_c.sh RAW WAREHOUSE [seconds into batches]
set -euo pipefail
raw=$(realpath "$1"); warehouse=$(realpath -m "$2"); into=${3:-3}
cd "$(dirname "$0")/.."
session=newsetl-ctrl-c-$$
tmux new-session -d -s "$session" -x 220 -y 50
trap 'tmux kill-session -t "$session" 2>/dev/null || true' EXIT
tmux send-keys -t "$session" "unset PREFECT_API_URL; export PREFECT_HOME=$PWD/.prefect; .venv/bin/newsetl ingest --raw $raw --warehouse $warehouse; echo EXIT=\$?" Enter
for _ in $(seq 1 600); do tmux capture-pane -p -t "$session" | grep -q "files/s" && break; sleep 0.2; done
sleep "$into"
echo "--- pane before Ctrl-C:"; tmux capture-pane -p -t "$session" | grep -v '^$' | tail -2
start=$(date +%s.%N)
tmux send-keys -t "$session" C-c
for _ in $(seq 1 600); do tmux capture-pane -p -S -200 -t "$session" | grep -q '^EXIT=[0-9]' && break; sleep 0.05; done
end=$(date +%s.%N)
echo "--- pane after Ctrl-C:"; tmux capture-pane -p -S -200 -t "$session" | grep -v '^$' | tail -4
printf -- "--- exited %.2f s after Ctrl-C\n" "$(echo "$end - $start" | bc)"
sleep 1
echo "--- processes of this checkout's venv still running (CLI, workers, server):"
ps -eo pid,etime,args | grep -F "$PWD/.venv/" | grep -v grep || echo "none"
echo "--- the next ingest:"
PREFECT_HOME=$PWD/.prefect .venv/bin/newsetl ingest --raw "$raw" --warehouse "$warehouse" 2>/dev/null | tail -1
echo "--- and the one after it:"
PREFECT_HOME=$PWD/.prefect .venv/bin/newsetl ingest --raw "$raw" --warehouse "$warehouse" 2>/dev/null | tail -1
