# Sourced by the bench parts that start their own model-servers and model-managers: the JDK,
# the build, free loopback ports, processes that are stopped on exit, wrk and
# OpenLoop runs and /proc figures.
# Run standalone, a part builds what is missing and uses the example repository; under bench/run
# it gets BENCH_DURATION, BENCH_WARMUP, BENCH_JIT_WARMUP, BENCH_WORK and QUIVER_REPOSITORY from there.
# BENCH_SERVER_JAR and BENCH_MANAGER_JAR measure other builds (an older one, to compare). A part
# that runs no wrk (bench/soak) sets wrk_needed=no before sourcing this.
# bench/run sources it too, after its own build, and numbers the rows it prints (row_number).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
eval "$(./quiver env)"

duration="${BENCH_DURATION:-10}"
warmup="${BENCH_WARMUP:-3}"
# Seconds of load a service started a moment ago gets before its first reading: its JIT keeps
# compiling for tens of seconds, and a reading taken meanwhile flatters whatever comes later.
jit_warmup="${BENCH_JIT_WARMUP:-15}"
part_name="${part_name:-$(basename "$0")}"
work="$(mktemp -d "${BENCH_WORK:-${TMPDIR:-/tmp}}/$part_name.XXXXXX")"
server_jar="${BENCH_SERVER_JAR:-model-server/target/quarkus-app/quarkus-run.jar}"
manager_jar="${BENCH_MANAGER_JAR:-model-manager/target/quarkus-app/quarkus-run.jar}"
mkdir -p "$work/logs"

log() { echo "$part_name: $*" >&2; }
fail() { log "$*"; exit 1; }

pids=()
stop_all() {
  local pid
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  pids=()
}
cleanup() {
  stop_all
  if [ -n "${BENCH_KEEP:-}" ]; then log "work directory kept: $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Installs Debian packages when run as root where apt-get is, refreshing the package index when the
# first try fails. Never fails itself: the caller checks afterwards for what it needs.
apt_install() { # package...
  { [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; } || return 0
  log "installing $* (Debian packages)"
  apt-get install -y -qq --no-install-recommends "$@" >&2 ||
    { apt-get update -qq >&2 && apt-get install -y -qq --no-install-recommends "$@" >&2; } || true
}

# Whether a command is there, after installing its package when it was not.
ensure_command() { # command, package
  command -v "$1" >/dev/null || apt_install "$2"
  command -v "$1" >/dev/null
}

[ "${wrk_needed:-yes}" = no ] || ensure_command wrk wrk || fail "wrk is not installed: sudo apt-get install wrk"
if ./quiver stale "$server_jar" "$manager_jar" || [ ! -d example-models/target/repository ]; then
  log "building (./mvnw -B -q -DskipTests package)"
  ./mvnw -B -q -DskipTests package >&2
fi
repository="${QUIVER_REPOSITORY:-$PWD/example-models/target/repository}"

# glibc gives each busy thread a malloc arena of its own; two keep native memory compact, as
# ./quiver start and the container images have it.
export MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX:-2}"
# ONNX Runtime 1.29 uploads usage telemetry unless this is set before it loads, as ./quiver start sets it.
export ORT_DISABLE_TELEMETRY="${ORT_DISABLE_TELEMETRY:-1}"

jdk_major() { sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$1/release"; }

# The JVM settings a small service runs with on that JDK, as ./quiver start runs it.
small_jvm_options() { # java home
  ./quiver jvm-options "$1"
}

# A loopback port nothing listens on (on any address) and that this run has not handed out yet.
free_port() {
  local port
  touch "$work/ports"
  while true; do
    port=$((20000 + RANDOM % 40000))
    grep -qx "$port" "$work/ports" && continue
    if command -v ss >/dev/null; then
      [ -n "$(ss -Htan "sport = :$port")" ] && continue
    elif (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      continue
    fi
    echo "$port" >> "$work/ports"
    echo "$port"
    return
  done
}

# Waits until the command succeeds; gives up when the process it waits for has died.
wait_for() { # what, pid, command...
  local what="$1" pid="$2" deadline=$((SECONDS + 180))
  shift 2
  until "$@" >/dev/null 2>&1; do
    kill -0 "$pid" 2>/dev/null || fail "$what exited before it was ready; logs in $work/logs (BENCH_KEEP=1 keeps them)"
    [ "$SECONDS" -lt "$deadline" ] || fail "$what did not come up within 180 s; logs in $work/logs (BENCH_KEEP=1 keeps them)"
    sleep 0.01
  done
}

# Commands the services and wrk run under: empty, or taskset to give each its own CPUs.
service_on=()
wrk_on=()

# Starts a model-server in the background; sets started_pid, and started_grpc_url to where it serves
# gRPC. Environment words may follow the java options. Its gRPC gets a free port of its own (the
# model-server's default, 8081, would collide with the next one's) unless a QUIVER_GRPC_PORT word
# says otherwise (http: on the HTTP port).
start_server() { # name, port, java home, java options (one word list), environment...
  local name="$1" port="$2" java_home="$3" options="$4" grpc_port word
  shift 4
  grpc_port="$(free_port)"
  for word in "$@"; do
    case "$word" in QUIVER_GRPC_PORT=*) grpc_port="${word#QUIVER_GRPC_PORT=}" ;; esac
  done
  if [ "$grpc_port" = http ]; then started_grpc_url="http://127.0.0.1:$port"; else started_grpc_url="http://127.0.0.1:$grpc_port"; fi
  # shellcheck disable=SC2086 # the options are a word list on purpose
  # BENCH_STARTUP_MODELS set but empty: every model of the repository, as bench/run's servers load.
  env QUIVER_REPOSITORY="$repository" MODEL_SERVER_PORT="$port" MODEL_SERVER_HOST=127.0.0.1 \
    QUIVER_GRPC_PORT="$grpc_port" QUIVER_STARTUP_MODELS="${BENCH_STARTUP_MODELS-house_price}" "$@" \
    "${service_on[@]}" "$java_home/bin/java" $options -jar "$server_jar" > "$work/logs/$name.log" 2>&1 &
  started_pid=$!
  pids+=("$started_pid")
}

start_manager() { # name, port, java home, java options, environment...
  local name="$1" port="$2" java_home="$3" options="$4"
  shift 4
  # The parts measure memory, start-up and registry scale, not the token check (the main table's
  # manager rows include it), so their managers run open.
  # shellcheck disable=SC2086
  env API_PORT="$port" API_HOST=127.0.0.1 QUIVER_DATA_DIR="$work/$name-data" QUIVER_MANAGER_AUTH_ENABLED=false "$@" \
    "${service_on[@]}" "$java_home/bin/java" $options -jar "$manager_jar" > "$work/logs/$name.log" 2>&1 &
  started_pid=$!
  pids+=("$started_pid")
}

stop_pid() {
  kill "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}

now_ms() { echo $(($(date +%s%N) / 1000000)); }

# The process's own CPU time (user + system), in clock ticks.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
# The same for a process and its children: nginx's master and its workers.
cpu_ticks_tree() {
  local ticks=0 pid
  for pid in "$1" $(pgrep -P "$1"); do ticks=$((ticks + $(cpu_ticks "$pid"))); done
  echo "$ticks"
}
# CPU microseconds per request from ticks read before and after $requests requests.
us_per_request() { # ticks before, ticks after
  awk -v a="$1" -v b="$2" -v n="$requests" -v hz="$(getconf CLK_TCK)" 'BEGIN {printf "%.0f", (n > 0 ? (b - a) / hz * 1e6 / n : 0)}'
}
# A field of /proc/<pid>/status in MiB (VmRSS: resident now, VmHWM: the most it was).
status_mib() { awk -v f="$2:" '$1 == f {printf "%.0f", $2 / 1024}' "/proc/$1/status"; }

v2_body="$work/house_price.json"
echo '{"inputs": [{"name": "features", "shape": [1, 3], "datatype": "FP32", "data": [1200.0, 3.0, 10.0]}]}' > "$v2_body"
lua=bench/post.lua

post_ok() { # url, body file, curl options...
  local url="$1" body="$2"
  shift 2
  curl -sf -o /dev/null -X POST -H 'Content-Type: application/json' "$@" --data-binary "@$body" "$url"
}

to_ms() { # wrk's 812.00us / 1.23ms / 1.02s / 1.50m as milliseconds
  awk -v t="$1" 'BEGIN {
    v = t + 0; u = t; sub(/^[0-9.]+/, "", u)
    if (u == "us") v /= 1000; else if (u == "s") v *= 1000; else if (u == "m") v *= 60000
    printf "%.2f", v }'
}

wrk_threads() { if [ "$1" -ge 16 ]; then echo 2; else echo 1; fi; }

# The median of numbers given one per line.
median() { sort -g | awk '{v[NR] = $1} END {if (NR % 2) print v[(NR + 1) / 2]; else printf "%.2f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }

# Milliseconds from the connection being ready to the whole answer, one line per request answered
# 2xx (a failed one prints no line): the body POSTed count times by one curl, so the requests after
# the first reuse its connection.
request_ms() { # url, count, body file, curl options...
  local url="$1" count="$2" body="$3" urls=() i
  shift 3
  # Each URL its own -o: curl pairs them in order, and a body without one goes to standard output.
  for ((i = 0; i < count; i++)); do urls+=(-o /dev/null "$url"); done
  curl -sf "$@" --data-binary "@$body" \
    -w '%{http_code} %{time_pretransfer} %{time_total}\n' "${urls[@]}" | awk '$1 ~ /^2/ {printf "%.3f\n", ($3 - $2) * 1000}'
}

# request_ms for one request at a time on a new connection, each after 300 ms without requests:
# what the first request after ready is (one request, new connection, a server that was idle)
# on a server that is no longer new. On a virtual machine a request that finds every thread
# asleep pays for waking them, which back-to-back requests never do (idle_floor shows how much).
idle_request_ms() { # url, count, body file, curl options...
  local url="$1" count="$2" i
  shift 2
  for ((i = 0; i < count; i++)); do
    sleep 0.3
    request_ms "$url" 1 "$@"
  done
}

# The machine's own price of an idle request, with nothing of Quiver's: nginx answering a constant
# V2 answer, read as the warm-up parts read a server. Sets idle_floor_text to its keep-alive p50
# (200 requests on one connection) and its idle_request_ms median over 9, or to why there is none.
idle_floor() {
  local port keep idle
  idle_floor_text="no idle floor: needs nginx"
  ensure_command nginx nginx-light || return 0
  port="$(free_port)"
  start_nginx idle-floor "$port" \
    "location / { default_type application/json; return 200 '{\"model_name\":\"house_price\",\"model_version\":\"1\",\"outputs\":[{\"name\":\"price\",\"datatype\":\"FP32\",\"shape\":[1,1],\"data\":[1.0]}]}'; }"
  local pid="$started_pid"
  wait_for "nginx" "$pid" curl -sf -o /dev/null "http://127.0.0.1:$port/"
  keep="$(request_ms "http://127.0.0.1:$port/" 200 "$v2_body" -H 'Content-Type: application/json' | tail -n +2 | median)"
  idle="$(idle_request_ms "http://127.0.0.1:$port/" 9 "$v2_body" -H 'Content-Type: application/json' | median)"
  stop_pid "$pid"
  idle_floor_text="the machine's idle floor: nginx answering a constant took $keep ms at the keep-alive p50 and $idle ms for an idle request ($(ratio "$idle" "$keep")x)"
}

# gRPC calls timed by a client that is not a JVM (bench/grpc_first_call.py on Debian's
# python3-grpcio, a channel connected before the clock starts), so that a first call's time is the
# server's and not the client's own JIT. grpc_timer_ready installs python3-grpcio when run as root,
# sets grpc_timed to whether it can be used and then writes GrpcRequests' files into $work
# (house_price.grpc, convnet.grpc, ...).
grpc_timer_ready() {
  local python=/usr/bin/python3
  grpc_python_ok() { [ -x "$python" ] && "$python" -c 'import grpc' 2>/dev/null; }
  grpc_python_ok || apt_install python3-grpcio
  grpc_timed=false
  if grpc_python_ok; then
    grpc_timed=true
    open_loop_ready
    "$JAVA_HOME/bin/java" -cp "$bench_jar" io.quiver.bench.GrpcRequests "$work"
  else
    log "no gRPC figures: needs python3-grpcio (sudo apt-get install python3-grpcio)"
  fi
}

# A start's gRPC figures, when grpc_timed: grpc_first_call sets grpc_first_ms (one call on a new
# channel), grpc_steady_calls sets grpc_steady_ms (the median of 300 calls on one channel) and
# grpc_fresh_ms (the median first call of five new channels); without grpcio they stay empty.
grpc_first_call() { # host:port, request file
  grpc_first_ms="" grpc_steady_ms="" grpc_fresh_ms=""
  "$grpc_timed" || return 0
  grpc_first_ms="$(/usr/bin/python3 bench/grpc_first_call.py first "$1" "$2")" ||
    fail "the first gRPC call to $1 failed; logs in $work/logs"
}
grpc_steady_calls() { # host:port, request file
  "$grpc_timed" || return 0
  read -r grpc_steady_ms grpc_fresh_ms < <(/usr/bin/python3 bench/grpc_first_call.py steady "$1" "$2") ||
    fail "gRPC calls to the steady $1 failed; logs in $work/logs"
}

# The gRPC figures of a setting's starts: grpc_starts_begin before the first, grpc_start_counted
# after each (logging it under a label), and grpc_starts_text sets grpc_text for the row.
grpc_starts_begin() {
  grpc_firsts=() grpc_steadies=() grpc_ratios=() grpc_freshes=() grpc_fresh_ratios=()
}
grpc_start_counted() { # label
  [ -n "$grpc_first_ms" ] || return 0
  log "$1: first gRPC call $grpc_first_ms ms, steady gRPC p50 $grpc_steady_ms ms, a new channel's first call when steady $grpc_fresh_ms ms"
  grpc_firsts+=("$grpc_first_ms") grpc_steadies+=("$grpc_steady_ms") grpc_freshes+=("$grpc_fresh_ms")
  grpc_ratios+=("$(ratio "$grpc_first_ms" "$grpc_steady_ms")") grpc_fresh_ratios+=("$(ratio "$grpc_first_ms" "$grpc_fresh_ms")")
}
grpc_starts_text() {
  if [ "${#grpc_firsts[@]}" -eq 0 ]; then
    grpc_text="gRPC not timed (needs python3-grpcio)"
    return
  fi
  m() { printf '%s\n' "$@" | median; }
  grpc_text="first gRPC ModelInfer right after it $(m "${grpc_firsts[@]}") ms = $(m "${grpc_ratios[@]}")x the steady gRPC p50 of $(m "${grpc_steadies[@]}") ms (per start: ${grpc_ratios[*]}), $(m "${grpc_fresh_ratios[@]}")x a new channel's first call when steady ($(m "${grpc_freshes[@]}") ms; Python grpcio client)"
}

# A freshly started service loaded in one-second wrk windows: sets steady_rate (the median of the
# last five windows) and ramp_s (the end of the first window that reached 90% of it, in seconds
# from started, a now_ms taken at the service's launch).
ramp_to_steady() { # url, body file, wrk script, windows, clients, started
  local url="$1" body="$2" script="$3" windows="$4" clients="$5" started="$6" i end_ms rate
  : > "$work/ramp"
  for ((i = 0; i < windows; i++)); do
    BENCH_BODY="$body" wrk -t"$(wrk_threads "$clients")" -c"$clients" -d1s -s "$script" "$url" > "$work/wrk.out"
    end_ms=$(($(now_ms) - started))
    rate="$(awk '/^Requests\/sec:/ {printf "%.0f", $2}' "$work/wrk.out")"
    echo "$end_ms ${rate:-0}" >> "$work/ramp"
  done
  steady_rate="$(tail -n 5 "$work/ramp" | awk '{print $2}' | median)"
  ramp_s="$(awk -v goal="$steady_rate" '$2 >= 0.9 * goal {printf "%.1f", $1 / 1000; exit}' "$work/ramp")"
}

# Load that is not measured: a warm-up.
load() { # clients, url, body file, seconds, wrk options...
  local clients="$1" url="$2" body="$3" seconds="$4"
  shift 4
  BENCH_BODY="$body" "${wrk_on[@]}" wrk -t"$(wrk_threads "$clients")" -c"$clients" -d"$seconds"s -s "$lua" "$@" "$url" > /dev/null
}

# A single-row V2 JSON request for bench/'s perceptrons (mlp: 256 features, wide_mlp: 512), in
# $work/<model>.json, as the batching rows send it.
feature_body() { # model, features
  awk -v n="$2" 'BEGIN { printf "{\"inputs\": [{\"name\": \"features\", \"shape\": [1, %d], \"datatype\": \"FP32\", \"data\": [", n
             for (i = 0; i < n; i++) printf "%s%.2f", (i ? ", " : ""), (i % 13) * 0.25
             printf "]}]}\n" }' > "$work/$1.json"
}

# A batching model-server's run figures for a model: runs, rows and seconds in them, from its metrics.
batch_runs() { # server URL, model
  curl -sf "$1/q/metrics" | awk -v model="model=\"$2\"" '
    index($0, model) && /^quiver_batch_rows_count/ {runs = $NF}
    index($0, model) && /^quiver_batch_rows_sum/ {rows = $NF}
    index($0, model) && /^quiver_batch_run_seconds_sum/ {seconds = $NF}
    END {print runs + 0, rows + 0, seconds + 0}'
}

# What the runs during a row were: how many rows each held and how long each took, on average.
runs_text() { # figures before, figures after
  echo "$1 $2" | awk '{ runs = $4 - $1; rows = $5 - $2; seconds = $6 - $3
    if (runs > 0) printf "runs of %.1f rows taking %.2f ms on average", rows / runs, seconds / runs * 1000
    else printf "no runs recorded" }'
}

# bench/'s jar, for OpenLoop; bench/run builds it, a part run alone builds it when it first needs it.
bench_jar="${bench_jar:-bench/target/benchmarks.jar}"
open_loop_ready() {
  if ./quiver stale "$bench_jar"; then
    log "building $bench_jar (./mvnw -B -q -DskipTests -Pbench -pl bench -am package)"
    ./mvnw -B -q -DskipTests -Pbench -pl bench -am package >&2
  fi
}
# The generator's own JVM: a fixed heap and the serial collector, whose young collections of a
# small heap pause for about a millisecond; a pause of the generator counts in the latencies.
open_loop_jvm=(-XX:+UseSerialGC -Xms256m -Xmx256m)
# Netty allocates direct buffers through sun.misc.Unsafe, which JDK 24+ warns about at its first use.
if [ "$(jdk_major "$JAVA_HOME")" -ge 24 ]; then open_loop_jvm+=(--sun-misc-unsafe-memory-access=allow); fi
open_runs=0

# nginx with one worker and no access log, listening on a loopback port: the server's directives
# and any more for http (an upstream) given. Sets started_pid.
start_nginx() { # name, port, directives of its server, directives of http
  local name="$1" dir="$work/$1"
  mkdir -p "$dir"
  cat > "$dir/nginx.conf" <<NGINX
worker_processes 1;
pid $dir/nginx.pid;
error_log $work/logs/$name-error.log;
events { worker_connections 1024; }
http {
  access_log off;
  ${4:-}
  server {
    listen 127.0.0.1:$2;
    $3
  }
}
NGINX
  nginx -p "$dir" -c "$dir/nginx.conf" -g 'daemon off;' > "$work/logs/$name.log" 2>&1 &
  started_pid=$!
  pids+=("$started_pid")
}

# nginx as a bare reverse proxy to a port on loopback (one worker, a keep-alive upstream, no auth,
# no log): what a proxy written in C costs here, the yardstick for the manager's rows. Sets started_pid.
start_nginx_proxy() { # name, port, upstream port
  # nginx closes a keep-alive connection after 1,000 requests by default, which the Vert.x proxies
  # never do; a request sent as it closes fails.
  start_nginx "$1" "$2" \
    'keepalive_requests 1000000000;
    location / { proxy_pass http://model_server; proxy_http_version 1.1; proxy_set_header Connection ""; }' \
    "upstream model_server { server 127.0.0.1:$3; keepalive 32; keepalive_requests 1000000000; }"
}

# The same bare proxy on the manager's own stack (bench's BareProxy: Vert.x on the JVM, with the
# JVM options given), without any of the manager: the floor under the manager's rows. Sets started_pid.
start_bare_proxy() { # name, port, upstream port, java options
  open_loop_ready
  # shellcheck disable=SC2086 # the options are a word list on purpose
  "${service_on[@]}" "$JAVA_HOME/bin/java" $4 -cp "$bench_jar" io.quiver.bench.BareProxy "$2" 127.0.0.1 "$3" \
    > "$work/logs/$1.log" 2>&1 &
  started_pid=$!
  pids+=("$started_pid")
}

# The same proxy as a route on the manager's Quarkus stack (bench/quarkus-proxy: the manager's
# extensions and per-request settings, none of its code), with the JVM options given: between the
# bare proxy and the manager, it tells the stack's cost per request from the manager's own code's.
# Built when missing or older than its sources. Sets started_pid.
quarkus_proxy_jar="${BENCH_QUARKUS_PROXY_JAR:-bench/quarkus-proxy/target/quarkus-app/quarkus-run.jar}"
start_quarkus_proxy() { # name, port, upstream port, java options
  if [ ! -f "$quarkus_proxy_jar" ] || [ -n "$(find pom.xml bench/quarkus-proxy/pom.xml bench/quarkus-proxy/src \
    -newer "$quarkus_proxy_jar" -type f -print -quit)" ]; then
    log "building $quarkus_proxy_jar (./mvnw -B -q -DskipTests -Pbench -pl bench/quarkus-proxy -am package)"
    ./mvnw -B -q -DskipTests -Pbench -pl bench/quarkus-proxy -am package >&2
  fi
  # shellcheck disable=SC2086 # the options are a word list on purpose
  PROXY_PORT="$2" TARGET_PORT="$3" "${service_on[@]}" "$JAVA_HOME/bin/java" $4 -jar "$quarkus_proxy_jar" \
    > "$work/logs/$1.log" 2>&1 &
  started_pid=$!
  pids+=("$started_pid")
}

# Runs OpenLoop with the options given (bench/'s load generator, see measure_open and
# measure_closed) and sets rate (achieved), p50, p99, p999, requests, errors (failed requests and
# those answered with a failure status: not 2xx, or for gRPC not HTTP 200 with grpc-status 0) and
# dropped (due while --max-outstanding were unanswered, so never sent) and send_lag (ms: the most a
# request reached the generator's event loop after it was due, its own delay). Each run's line
# (openloop-N.out, with the generator's own send lag) and HdrHistogram percentile distribution
# (openloop-N.hgrm) stay in the work directory (BENCH_KEEP=1 keeps it).
run_open_loop() { # OpenLoop options and URL...
  local out
  open_loop_ready
  open_runs=$((open_runs + 1))
  out="$work/openloop-$open_runs.out"
  "${wrk_on[@]}" "$JAVA_HOME/bin/java" "${open_loop_jvm[@]}" -cp "$bench_jar" io.quiver.bench.OpenLoop \
    --histogram "$work/openloop-$open_runs.hgrm" "$@" > "$out"
  eval "$(awk '{for (i = 1; i <= NF; i++) {split($i, kv, "="); v[kv[1]] = kv[2]}}
    END {printf "rate=%.0f requests=%d p50=%.2f p99=%.2f p999=%.2f errors=%d dropped=%d send_lag=%.2f\n",
      v["rate_achieved"], v["requests"], v["p50_ms"], v["p99_ms"], v["p999_ms"], v["errors"] + v["non2xx"], v["dropped"],
      v["send_lag_max_ms"]}' "$out")"
}

# A key=value field of an OpenLoop run's line (cpu_NAME_ticks with --cpu-of): the last run's, or
# the one in the file given.
open_loop_field() { # key, file (default: the last run's)
  awk -v k="$1" '{for (i = 1; i <= NF; i++) {split($i, kv, "="); if (kv[1] == k) print kv[2]}}' \
    "${2:-$work/openloop-$open_runs.out}"
}

# The Content-Type OpenLoop sends unless the options name one: JSON (a gRPC call has its own).
json_unless_typed() { # OpenLoop options...
  case " ${*,,} " in *content-type:* | *" --grpc "*) ;; *) echo "Content-Type: application/json" ;; esac
}

# Runs OpenLoop in its open loop (requests at a fixed rate whatever the answers, latency from each
# one's intended start) after a warm-up at the same rate, on as many keep-alive connections as
# given, and sets what run_open_loop sets. OpenLoop options (-H headers, --max-outstanding, --grpc)
# may follow; the body is sent as JSON unless a Content-Type header or --grpc is given.
measure_open() { # rate /s, connections, url, body file, seconds (default: duration), warm-up seconds (default: warmup), OpenLoop options...
  local target="$1" connections="$2" url="$3" body="$4" seconds="${5:-$duration}" warm="${6:-$warmup}" type
  shift $(($# < 6 ? $# : 6))
  type="$(json_unless_typed "$@")"
  run_open_loop --rate "$target" --connections "$connections" --duration "$seconds" --warmup "$warm" --body "$body" \
    ${type:+-H "$type"} "$@" "$url"
}

# Runs OpenLoop as a closed loop, after a warm-up of the same load: N requests outstanding, each
# sent as soon as the one before it is answered, latency from its sending, as wrk's rows measure;
# for the saturation rows whose protocols wrk does not speak (gRPC) and the REST rows beside them,
# so that all come from one client. Over HTTP/1.1 each outstanding request has a connection of its
# own; with --grpc the calls share one HTTP/2 connection unless --connections says otherwise.
# Sets what run_open_loop sets; options as measure_open's.
measure_closed() { # outstanding requests, url, body file, seconds (default: duration), warm-up seconds (default: warmup), OpenLoop options...
  local n="$1" url="$2" body="$3" seconds="${4:-$duration}" warm="${5:-$warmup}" type
  shift $(($# < 5 ? $# : 5))
  type="$(json_unless_typed "$@")"
  run_open_loop --closed "$n" --duration "$seconds" --warmup "$warm" --body "$body" ${type:+-H "$type"} "$@" "$url"
}

# Runs wrk after a warm-up and sets rate, p50, p99, requests and errors.
# wrk options (headers) may follow the seconds.
measure() { # clients, url, body file, seconds (default: duration), warm-up seconds (default: warmup), wrk options...
  local clients="$1" url="$2" body="$3" seconds="${4:-$duration}" warm="${5:-$warmup}" out="$work/wrk.out"
  shift $(($# < 5 ? $# : 5))
  [ "$warm" -gt 0 ] && load "$clients" "$url" "$body" "$warm" "$@"
  BENCH_BODY="$body" "${wrk_on[@]}" wrk -t"$(wrk_threads "$clients")" -c"$clients" -d"$seconds"s --latency -s "$lua" "$@" "$url" > "$out"
  rate="$(awk '/^Requests\/sec:/ {printf "%.0f", $2}' "$out")"
  requests="$(awk '/requests in/ {print $1}' "$out")"
  p50="$(to_ms "$(awk '$1 == "50%" {print $2}' "$out")")"
  p99="$(to_ms "$(awk '$1 == "99%" {print $2}' "$out")")"
  errors="$(awk '/Non-2xx or 3xx responses:/ {n += $NF} /Socket errors:/ {gsub(/,/, ""); n += $4 + $6 + $8 + $10} END {print n + 0}' "$out")"
}

# Under bench/run the rows are numbered there: a part's rows go through its output, bench/run's own
# count in row_number.
row() { # measurement, rate, p50, p99, other
  if [ -n "${row_number+set}" ]; then
    row_number=$((row_number + 1))
    printf '| %d ' "$row_number"
  fi
  printf '| %s | %s | %s | %s | %s |\n' "$1" "$2" "$3" "$4" "$5"
}

with_errors() {
  if [ "${errors:-0}" -gt 0 ]; then echo "$1; $errors failed requests"; else echo "$1"; fi
}

# An open-loop row's note, with the requests it could not send: the offered rate was more than
# the path served, and the row's latencies are those of a queue that kept growing.
with_drops() {
  if [ "${dropped:-0}" -gt 0 ]; then echo "$(with_errors "$1"); $dropped requests dropped (overloaded)"; else with_errors "$1"; fi
}

size_of() { # file: its size in bytes, KiB or MiB
  awk -v n="$(stat -c %s "$1")" 'BEGIN {
    if (n < 10240) printf "%d bytes", n; else if (n < 1048576) printf "%.1f KiB", n / 1024; else printf "%.2f MiB", n / 1048576 }'
}

ratio() { # a / b with two decimals
  awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", (b > 0 ? a / b : 0)}'
}
