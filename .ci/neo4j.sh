#!/usr/bin/env bash
# Build and start the Neo4j 5.26 test server (tests/neo4j-server), wait until a Bolt query
# succeeds, and print the variables the tests read. Usage:
#   bash .ci/neo4j.sh start   -> builds if needed, starts in the background, writes .neo4j-test/env
#   bash .ci/neo4j.sh stop    -> stops the server started by `start`
# Override the port with GRAPHSVC_TEST_NEO4J_PORT (default 7687).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SERVER_DIR="$ROOT/tests/neo4j-server"
STATE_DIR="${GRAPHSVC_TEST_NEO4J_STATE:-$ROOT/.neo4j-test}"
PORT="${GRAPHSVC_TEST_NEO4J_PORT:-7687}"
PASSWORD="graphsvc-test-pw"

build() {
  if [ ! -d "$SERVER_DIR/target/lib" ] || [ "$SERVER_DIR/pom.xml" -nt "$SERVER_DIR/target/classes/Launcher.class" ] \
     || [ "$SERVER_DIR/src/main/java/Launcher.java" -nt "$SERVER_DIR/target/classes/Launcher.class" ]; then
    echo "building the Neo4j test server (Maven; the first build downloads ~120 MB of jars)"
    mvn -q -B -ntp -f "$SERVER_DIR/pom.xml" package
  fi
}

start() {
  build
  mkdir -p "$STATE_DIR"
  if [ -f "$STATE_DIR/pid" ] && kill -0 "$(cat "$STATE_DIR/pid")" 2>/dev/null; then
    echo "Neo4j test server already running (pid $(cat "$STATE_DIR/pid"))"; cat "$STATE_DIR/env"; return 0
  fi
  local home; home="$(mktemp -d /tmp/graphsvc-neo4j.XXXXXX)"
  echo "$home" > "$STATE_DIR/home"
  local started; started=$(date +%s%N)
  # Heap 2 GB, fixed: with 1 GB (eden ~200 MB) a 5000-row interaction batch saw ~2 young
  # GCs copying its live transaction state, and commit cost ~70 µs/row of server CPU; with
  # 2 GB ~48 µs/row (bench/store_load.py). The page cache size made no measurable difference.
  java ${GRAPHSVC_TEST_NEO4J_JVM:--Xms2g -Xmx2g -XX:+UseG1GC} -XX:+ExitOnOutOfMemoryError \
    --add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/java.io=ALL-UNNAMED \
    --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --add-opens=java.base/java.lang=ALL-UNNAMED \
    --add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.util.concurrent=ALL-UNNAMED \
    --enable-native-access=ALL-UNNAMED -Dio.netty.tryReflectionSetAccessible=true \
    -cp "$SERVER_DIR/target/classes:$SERVER_DIR/target/lib/*" Launcher \
    --home "$home" --host 127.0.0.1 --port "$PORT" --password "$PASSWORD" --pagecache-mb 256 ${GRAPHSVC_TEST_NEO4J_CONF:+--conf "$GRAPHSVC_TEST_NEO4J_CONF"} \
    --ready-file "$home/READY" > "$STATE_DIR/server.log" 2>&1 &
  local pid=$!
  echo "$pid" > "$STATE_DIR/pid"
  for i in $(seq 1 180); do
    if [ -f "$home/READY" ] && (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then break; fi
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "NEO4J UNAVAILABLE: the test server exited during start-up:"; tail -n 60 "$STATE_DIR/server.log"; return 1
    fi
    if [ "$i" = 180 ]; then
      echo "NEO4J UNAVAILABLE: not ready after 180 s:"; tail -n 60 "$STATE_DIR/server.log"; return 1
    fi
    sleep 1
  done
  local ready_ms; ready_ms=$(( ($(date +%s%N) - started) / 1000000 ))
  local rss_kb; rss_kb=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
  cat > "$STATE_DIR/env" <<ENV
export GRAPHSVC_TEST_NEO4J_URI=bolt://127.0.0.1:$PORT
export GRAPHSVC_NEO4J_USER=neo4j
export GRAPHSVC_NEO4J_PASSWORD=$PASSWORD
ENV
  echo "Neo4j 5.26 test server ready on bolt://127.0.0.1:$PORT in ${ready_ms} ms, RSS $((rss_kb / 1024)) MB (pid $pid, log $STATE_DIR/server.log)"
  echo "for the tests:  source .neo4j-test/env"
}

stop() {
  [ -f "$STATE_DIR/pid" ] || return 0
  local pid; pid=$(cat "$STATE_DIR/pid")
  if [ -r "/proc/$pid/status" ]; then
    echo "Neo4j test server: peak RSS $(( $(awk '/VmHWM/ {print $2}' "/proc/$pid/status") / 1024 )) MB; stopping"
  fi
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
  kill -KILL "$pid" 2>/dev/null || true
  rm -f "$STATE_DIR/pid"
  if [ -f "$STATE_DIR/home" ]; then rm -rf "$(cat "$STATE_DIR/home")"; rm -f "$STATE_DIR/home"; fi
}

case "${1:-start}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
