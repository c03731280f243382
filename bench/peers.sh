# bench/peers.sh - sourced by bench/run: the two peers, InfluxDB 1.6 (Debian package influxdb) and
# VictoriaMetrics 1.79 (Debian package victoria-metrics), installed when missing and started by hand
# on 127.0.0.1 with a fresh data dir each, like the service. Uses bench/run's helpers and variables
# (log, note, record, wait_quiet, note_idle_cpu, stop_server, BENCH, RUN_DIR, SERVER_*).
# shellcheck shell=bash

PEER_VERSIONS=""

peer_binary() { case "$1" in influxdb) echo influxd ;; vm) echo victoria-metrics ;; esac; }
peer_package() { case "$1" in influxdb) echo influxdb ;; vm) echo victoria-metrics ;; esac; }

# ensure_peers: install the peers in TARGETS that are missing (apt-get; root). The package scripts
# must not start their services (which would listen on all interfaces with a default data dir), so
# /usr/sbin/policy-rc.d answers 101 ("not allowed") during the install, and the units the packages
# enabled are disabled afterwards. A peer that cannot be installed is noted and left out of TARGETS.
ensure_peers() {
  local want=() missing=() t guard=0
  for t in influxdb vm; do
    [[ " $TARGETS " == *" $t "* ]] || continue
    want+=("$t")
    command -v "$(peer_binary "$t")" > /dev/null || missing+=("$t")
  done
  [ ${#want[@]} -gt 0 ] || return 0
  if [ ${#missing[@]} -gt 0 ]; then
    local pkgs=(); for t in "${missing[@]}"; do pkgs+=("$(peer_package "$t")"); done
    log "installing ${pkgs[*]} (apt-get; their services are kept from starting)"
    if [ "$(id -u)" != 0 ] || ! command -v apt-get > /dev/null; then
      log "cannot install ${pkgs[*]}: needs root and apt-get"
    else
      if [ ! -e /usr/sbin/policy-rc.d ]; then
        printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d && guard=1
      fi
      { DEBIAN_FRONTEND=noninteractive apt-get update -qq \
          && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${pkgs[@]}"; } > "$RUN_DIR/logs/apt-install.log" 2>&1 \
        || log "apt-get install ${pkgs[*]} failed (see $RUN_DIR/logs/apt-install.log)"
      [ "$guard" = 1 ] && rm -f /usr/sbin/policy-rc.d
      if command -v systemctl > /dev/null; then
        for t in "${pkgs[@]}"; do systemctl disable "$t" > /dev/null 2>&1 && log "disabled the $t service" || true; done
      fi
    fi
  fi
  for t in "${want[@]}"; do
    if ! command -v "$(peer_binary "$t")" > /dev/null; then
      note "$t: $(peer_binary "$t") is not installed and could not be installed (package $(peer_package "$t")); this run has no $t figures"
      TARGETS="$(echo " $TARGETS " | sed "s/ $t / /g")"
    fi
  done
  local iv dv
  iv="$(influxd version 2>/dev/null | head -1 || true)"
  dv="$(dpkg-query -W victoria-metrics influxdb 2>/dev/null | tr '\t' ' ' | paste -sd ';' - || true)"
  PEER_VERSIONS="$(printf 'influxd version: %s; dpkg-query: %s' "${iv:-n/a}" "${dv:-n/a}" | tr -d '"\\')"
}

# start_peer influxdb|vm LABEL: fresh data dir, free loopback ports, wait until ready; sets SERVER_PID,
# SERVER_URL, SERVER_DATA, PEER_WRITE (ingest path) and PEER_SMALL (small-write path). Returns 1 on failure.
# A port found free can be taken by someone else before the peer binds it (one full run lost
# InfluxDB's small-write phase to "bind: address already in use"), so a start is tried 3 times.
start_peer() {
  local attempt
  for attempt in 1 2 3; do
    start_peer_once "$@" && return 0
    grep -q 'address already in use' "$RUN_DIR/logs/$2.log" 2>/dev/null || break
    log "$1: a port was taken before the server bound it; trying again with new ports"
  done
  note "$1: the server did not start or did not get ready ($2; log in the run dir); its remaining phases are skipped"
  return 1
}

start_peer_once() {
  local peer="$1" label="$2" port rpc i ready code
  SERVER_DATA="$RUN_DIR/srv-$label"
  rm -rf "$SERVER_DATA"; mkdir -p "$SERVER_DATA"
  port="$("${BENCH[@]}" freeport)"
  SERVER_URL="http://127.0.0.1:$port"
  case "$peer" in
    influxdb)
      rpc="$("${BENCH[@]}" freeport)"
      # Everything not listed is the 1.6 default (tsm1, inmem index, WAL fsync before the answer).
      cat > "$SERVER_DATA/influxdb.conf" <<EOF
reporting-enabled = false
bind-address = "127.0.0.1:$rpc"
[meta]
  dir = "$SERVER_DATA/meta"
[data]
  dir = "$SERVER_DATA/data"
  wal-dir = "$SERVER_DATA/wal"
  query-log-enabled = false
[monitor]
  store-enabled = false
[http]
  enabled = true
  bind-address = "127.0.0.1:$port"
  log-enabled = false
[ifql]
  enabled = false
[[graphite]]
  enabled = false
[[collectd]]
  enabled = false
[[opentsdb]]
  enabled = false
[[udp]]
  enabled = false
[continuous_queries]
  enabled = false
EOF
      influxd -config "$SERVER_DATA/influxdb.conf" > "$RUN_DIR/logs/$label.log" 2>&1 &
      SERVER_PID=$!; ready="$SERVER_URL/ping"; code=204
      PEER_WRITE="/write?db=bench&precision=$PRECISION"
      PEER_SMALL="/write?db=bench&precision=ms" ;;
    vm)
      # -retentionPeriod=100y: the workload's timestamps are from 2024; the default retention
      # (1 month) would answer 204 and drop them silently.
      victoria-metrics -httpListenAddr="127.0.0.1:$port" -storageDataPath="$SERVER_DATA" -retentionPeriod=100y \
        > "$RUN_DIR/logs/$label.log" 2>&1 &
      SERVER_PID=$!; ready="$SERVER_URL/health"; code=200
      PEER_WRITE="/write?precision=$PRECISION"
      PEER_SMALL="/write?precision=ms" ;;
  esac
  for i in $(seq 1 600); do
    if [ "$(curl -s -o /dev/null -w '%{http_code}' "$ready" || true)" = "$code" ]; then
      if [ "$peer" = influxdb ] && ! curl -sf -XPOST "$SERVER_URL/query" --data-urlencode 'q=CREATE DATABASE bench' > /dev/null; then
        break
      fi
      log "$peer server up (pid $SERVER_PID, $SERVER_URL, data $SERVER_DATA)"
      note_idle_cpu "$peer"
      return 0
    fi
    kill -0 "$SERVER_PID" 2>/dev/null || break
    sleep 0.1
  done
  tail -20 "$RUN_DIR/logs/$label.log" >&2
  stop_server
  return 1
}

# store_size TARGET LABEL: stop the server cleanly (SIGTERM, so buffers are flushed), then record the
# bytes of its data dir (du -sb) and the field values it holds (the last ingest's count + its warm-up).
store_size() {
  local target="$1" label="$2" bytes disk stored warm
  stop_server
  bytes="$(du -sb "$SERVER_DATA" | cut -f1)"                  # apparent size of the files
  disk="$(du -s --block-size=1 "$SERVER_DATA" | cut -f1)"     # blocks allocated (less for sparse or preallocated files)
  stored="$(sed -n 's/.*"stored":\([0-9][0-9]*\).*/\1/p' "$RUN_DIR/ingest-last.json" | head -1)"
  warm="$(sed -n 's/.*"warmup_field_values":\([0-9][0-9]*\).*/\1/p' "$RUN_DIR/ingest-last.json" | head -1)"
  printf '{"cmd":"storage","target":"%s","label":"%s","data_dir_bytes":%s,"data_dir_disk_bytes":%s,"stored_values":%s,"warmup_values":%s}\n' \
    "$target" "$label" "$bytes" "$disk" "${stored:-null}" "${warm:-0}" >> "$JSONL"
  log "  $target storage: $bytes bytes ($disk on disk) in $SERVER_DATA for ${stored:-?} + ${warm:-0} warm-up field values"
}

# run_peer influxdb|vm: ingest for each C (INGEST_REPEAT runs), queries + storage on the last one, small writes
# (bench/run's small_phase: wrk writes to PEER_SMALL with precision=ns, the C# client with precision=ms).
run_peer() {
  local peer="$1" c rep label last_c="${CONCURRENCY##* }"
  for c in $CONCURRENCY; do
    for rep in $(seq 1 "$INGEST_REPEAT"); do
      label="$peer-ingest-c$c-r$rep"
      start_peer "$peer" "$label" || return 0
      wait_quiet "$label"
      log "ingest: $peer, C=$c, run $rep/$INGEST_REPEAT (clock runs until the count query sees every value)"
      record ingest --url "$SERVER_URL" --data "$DATA" --concurrency "$c" --pid "$SERVER_PID" --target "$peer" --api "$peer" \
        --path "$PEER_WRITE" --warmup "$WARMUP"
      cp "$RUN_DIR/last.json" "$RUN_DIR/ingest-last.json" 2>/dev/null || true
      summary_ingest
      if [ "$c" = "$last_c" ] && [ "$rep" = "$INGEST_REPEAT" ]; then
        wait_server_idle
        wait_quiet "queries"
        log "queries: $peer, on the C=$c server, 1 cold + $QUERY_RUNS warm each"
        record query --url "$SERVER_URL" --data "$DATA" --runs "$QUERY_RUNS" --pid "$SERVER_PID" --target "$peer" --api "$peer"
        summary_query
        store_size "$peer" "$label"
      fi
      finish_server "$label"
    done
  done

  small_phase "$peer"
}
