#!/usr/bin/env bash
# A single-node Ceph radosgw on 127.0.0.1 for the S3 tests: `start` (installs the Debian packages when
# missing and run as root), `stop`, `status`. Everything lives in one state folder; nothing listens
# beyond the loopback interface.
#
#   scripts/s3-server.sh start   # prints the path of a JSON file: {endpoint, region, accessKeyId, secretAccessKey}
#   scripts/s3-server.sh stop
#   scripts/s3-server.sh stop-if-idle [seconds]   # after the delay, stop unless a live test process
#                                                 # holds a file named <pid>-* in $CLEARANCE_S3_DIR/users
#
# Environment: CLEARANCE_S3_DIR (state folder, default /tmp/clearance-s3), CLEARANCE_S3_PORT (S3 port,
# default 17480), CLEARANCE_S3_MON_PORT (monitor port, default 16789).
#
# The cluster: auth none, pool size 1, one monitor, one manager, one memstore OSD (its id made first
# with `ceph osd create <uuid>`: an OSD created without it fails with "wrong fsid"), radosgw on the
# beast frontend, one S3 user made with radosgw-admin. About 12 s to start and 720 MB of memory here.
set -euo pipefail

DIR=${CLEARANCE_S3_DIR:-/tmp/clearance-s3}
PORT=${CLEARANCE_S3_PORT:-17480}
MON_PORT=${CLEARANCE_S3_MON_PORT:-16789}
CONF=$DIR/ceph.conf
ENV_FILE=$DIR/env.json
ACCESS_KEY=clearance-test-access
SECRET_KEY=clearance-test-secret

log() { echo "s3-server: $*" >&2; }

install_if_missing() {
  local missing=()
  for bin in radosgw ceph-mon ceph-osd ceph-mgr; do command -v "$bin" >/dev/null 2>&1 || missing+=("$bin"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    log "missing ${missing[*]} and cannot install them (needs root and apt-get)"
    return 1
  fi
  log "installing radosgw ceph-mon ceph-osd ceph-mgr"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends radosgw ceph-mon ceph-osd ceph-mgr >/dev/null
}

# Stops the daemons this script started, by the process ids they wrote, and only those.
stop() {
  [ -d "$DIR/run" ] || return 0
  local pids=()
  for f in "$DIR"/run/*.pid; do
    [ -e "$f" ] || continue
    local pid
    pid=$(cat "$f")
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill "$pid" 2>/dev/null || true; pids+=("$pid"); fi
    rm -f "$f"
  done
  for _ in $(seq 1 50); do
    local alive=0
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ $alive = 0 ] && break
    sleep 0.2
  done
  for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null; done
  rm -f "$ENV_FILE"
  return 0
}

running() {
  [ -f "$ENV_FILE" ] && [ -f "$DIR/run/client.rgw.a.pid" ] && kill -0 "$(cat "$DIR/run/client.rgw.a.pid")" 2>/dev/null \
    && curl -sf -o /dev/null --max-time 5 "http://127.0.0.1:$PORT/"
}

wait_for() { # <seconds> <command...>
  local limit=$1; shift
  local end=$((SECONDS + limit))
  until "$@" >/dev/null 2>&1; do
    if [ $SECONDS -ge $end ]; then return 1; fi
    sleep 0.3
  done
}

start() {
  if running; then echo "$ENV_FILE"; return 0; fi
  install_if_missing
  stop
  local users
  users=$(mktemp -d)
  [ -d "$DIR/users" ] && cp -a "$DIR/users/." "$users/"
  rm -rf "$DIR"
  mkdir -p "$DIR"
  mv "$users" "$DIR/users"
  mkdir -p "$DIR"/{mon,osd,run,log,mgr}
  local fsid osd_uuid
  fsid=$(cat /proc/sys/kernel/random/uuid)
  osd_uuid=$(cat /proc/sys/kernel/random/uuid)
  cat >"$CONF" <<EOF
[global]
fsid = $fsid
mon host = v1:127.0.0.1:$MON_PORT
ms bind msgr2 = false
public addr = 127.0.0.1
auth cluster required = none
auth service required = none
auth client required = none
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
mon allow pool size one = true
mon warn on pool no redundancy = false
mon max pg per osd = 1000
osd crush chooseleaf type = 0
run dir = $DIR/run
pid file = $DIR/run/\$name.pid
admin socket = $DIR/run/\$name.asok
log file = $DIR/log/\$name.log
keyring = $DIR/keyring
[mon]
mon data = $DIR/mon/\$id
[mgr]
mgr data = $DIR/mgr/\$id
[osd]
osd data = $DIR/osd/\$id
osd objectstore = memstore
osd class update on start = false
# The OSD's own crush update sometimes fails with "wrong fsid" (EPERM) and the OSD exits: placed below instead.
osd crush update on start = false
memstore device bytes = 1073741824
osd max object name len = 460
osd max object namespace len = 64
[client.rgw.a]
rgw frontends = beast endpoint=127.0.0.1:$PORT
rgw enable usage log = false
rgw dns name = localhost
EOF
  ceph-authtool --create-keyring "$DIR/keyring" --gen-key -n mon. --cap mon 'allow *' >/dev/null
  monmaptool --create --fsid "$fsid" --addv a "[v1:127.0.0.1:$MON_PORT]" "$DIR/monmap" >/dev/null
  ceph-mon -c "$CONF" --mkfs -i a --monmap "$DIR/monmap" --keyring "$DIR/keyring"
  ceph-mon -c "$CONF" -i a 9>&-
  wait_for 30 ceph -c "$CONF" --connect-timeout 2 mon stat || { log "monitor did not come up (see $DIR/log)"; return 1; }
  mkdir -p "$DIR/mgr/x"
  ceph-mgr -c "$CONF" -i x 9>&-
  local id
  id=$(ceph -c "$CONF" osd create "$osd_uuid")
  mkdir -p "$DIR/osd/$id"
  ceph-osd -c "$CONF" -i "$id" --mkfs --osd-uuid "$osd_uuid" >/dev/null 2>&1
  ceph -c "$CONF" osd crush add "osd.$id" 1.0 root=default >/dev/null 2>&1
  ceph-osd -c "$CONF" -i "$id" 9>&-
  wait_for 30 sh -c "ceph -c '$CONF' osd stat | grep -q '1 up'" || { log "OSD did not come up (see $DIR/log)"; return 1; }
  radosgw -c "$CONF" -n client.rgw.a 9>&-
  radosgw-admin -c "$CONF" user create --uid=clearance --display-name="Clearance tests" \
    --access-key="$ACCESS_KEY" --secret-key="$SECRET_KEY" >/dev/null
  wait_for 60 curl -sf -o /dev/null "http://127.0.0.1:$PORT/" || { log "radosgw did not answer on 127.0.0.1:$PORT (see $DIR/log)"; return 1; }
  cat >"$ENV_FILE" <<EOF
{"endpoint":"http://127.0.0.1:$PORT","region":"us-east-1","accessKeyId":"$ACCESS_KEY","secretAccessKey":"$SECRET_KEY","server":"radosgw"}
EOF
  echo "$ENV_FILE"
}

# Stops the server when no live process is using it (see the users folder). Used by the test helper.
idle() {
  [ -d "$DIR/users" ] || return 0
  for f in "$DIR"/users/*; do
    [ -e "$f" ] || continue
    local pid=${f##*/}; pid=${pid%%-*}
    if kill -0 "$pid" 2>/dev/null; then return 1; fi
    rm -f "$f"
  done
  return 0
}

# Serialises start and stop between test processes. The daemons are started with the descriptor
# closed (9>&-): a daemon holding it would hold the lock for as long as it runs.
locked() {
  mkdir -p "$(dirname "$DIR")"
  exec 9>"$DIR.start-lock"
  flock 9
  "$@"
}

# One more try from scratch when a start fails (a daemon that lost a race exits at once).
start_retrying() {
  start && return 0
  log "start failed; retrying once from scratch"
  stop
  start
}

case "${1:-}" in
  start) locked start_retrying ;;
  stop) locked stop ;;
  stop-if-idle) sleep "${2:-0}"; if locked idle; then locked stop; fi ;;
  status) if running; then echo "running: $ENV_FILE"; else echo "stopped"; exit 1; fi ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
