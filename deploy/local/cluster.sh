#!/usr/bin/env bash
# A whole CaseGrains cluster on this machine, on loopback, for trying cluster mode and for load tests:
# a throwaway PostgreSQL, the migrate step, N silos and M frontends on free ports. Prints the URLs; Ctrl+C (or any
# exit) stops everything it started and deletes the throwaway database.
#
#   deploy/local/cluster.sh [--silos N] [--frontends M] [--cohost] [--seed-demo] [--release]
#
# --cohost: each frontend also hosts a silo that joins the cluster (CaseGrains:Frontend=Silo, gateway closed);
# with --silos 0 there are no standalone silos at all.
#
# Works as root too (PostgreSQL's initdb refuses root, so the server runs as the postgres user).
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
silos=2 frontends=1 seed="" configuration=Debug cohost=""
while [ $# -gt 0 ]; do
  case "$1" in
    --silos) silos=$2; shift 2 ;;
    --frontends) frontends=$2; shift 2 ;;
    --seed-demo) seed=--seed-demo; shift ;;
    --release) configuration=Release; shift ;;
    --cohost) cohost=1; shift ;;
    *) echo "usage: $0 [--silos N] [--frontends M] [--cohost] [--seed-demo] [--release]" >&2; exit 2 ;;
  esac
done

pids=() work=$(mktemp -d /tmp/casegrains-local-XXXXXX) pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -x "$pg_bin/initdb" ] || { echo "PostgreSQL server binaries not found (apt-get install postgresql)" >&2; exit 1; }
as_pg() { if [ "$(id -u)" = 0 ]; then su postgres -c "$*"; else sh -c "$*"; fi; }

cleanup() {
  trap - EXIT INT TERM
  echo "stopping…"
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  as_pg "$pg_bin/pg_ctl -D $work/pg/data -m fast -w stop" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

# A port nobody listens on (bash's /dev/tcp connect fails on a free port).
free_port() {
  local p
  while :; do
    p=$(( (RANDOM << 1 | RANDOM & 1) % 30000 + 20000 ))
    (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
  done
}

wait_ready() { # url name log
  for _ in $(seq 1 180); do
    curl -fsS "$1/health/ready" >/dev/null 2>&1 && return 0
    sleep 0.5
  done
  echo "$2 did not become ready; its log:" >&2; tail -40 "$3" >&2; exit 1
}

echo "== building ($configuration)"
dotnet build "$repo/src/Silo" -c "$configuration" -v q -nologo >/dev/null
dotnet build "$repo/src/WebFrontend" -c "$configuration" -v q -nologo >/dev/null
silo_dll="$repo/src/Silo/bin/$configuration/net10.0/CaseGrains.Silo.dll"
web_dll="$repo/src/WebFrontend/bin/$configuration/net10.0/CaseGrains.WebFrontend.dll"

pg_port=$(free_port)
echo "== PostgreSQL on 127.0.0.1:$pg_port"
mkdir -p "$work/pg" && { [ "$(id -u)" != 0 ] || { chmod 755 "$work"; chown postgres:postgres "$work/pg"; }; }
as_pg "$pg_bin/initdb -D $work/pg/data -U postgres --auth=trust -E UTF8 --locale=C.UTF-8" >/dev/null
as_pg "$pg_bin/pg_ctl -D $work/pg/data -l $work/pg/pg.log -o '-p $pg_port -k $work/pg -c listen_addresses=127.0.0.1 -c max_connections=300' -w start" >/dev/null

# Everything every process of this cluster shares.
export CaseGrains__Mode=Cluster
export ConnectionStrings__CaseGrains="Host=127.0.0.1;Port=$pg_port;Username=postgres;Database=postgres"
export CaseGrains__NikHmacKey=$(head -c 32 /dev/urandom | base64)
export CaseGrains__Auth__JwtSigningKey=$(head -c 32 /dev/urandom | base64)
export CaseGrains__AdvertisedAddress=127.0.0.1

echo "== migrate"
dotnet "$silo_dll" migrate

for i in $(seq 1 "$silos"); do
  health=$(free_port) siloport=$(free_port) gateway=$(free_port)
  dotnet "$silo_dll" --urls "http://127.0.0.1:$health" --CaseGrains:SiloPort="$siloport" --CaseGrains:GatewayPort="$gateway" \
    >"$work/silo$i.log" 2>&1 &
  pids+=($!)
  wait_ready "http://127.0.0.1:$health" "silo$i" "$work/silo$i.log"
  echo "silo$i      pid $! · health http://127.0.0.1:$health/health/ready · silo port $siloport · gateway $gateway"
done

for i in $(seq 1 "$frontends"); do
  http=$(free_port)
  args=(--urls "http://127.0.0.1:$http" --contentRoot "$repo/src/WebFrontend")
  [ -n "$cohost" ] && args+=(--CaseGrains:Frontend=Silo --CaseGrains:SiloPort="$(free_port)")
  [ "$i" = 1 ] && [ -n "$seed" ] && args+=("$seed")
  dotnet "$web_dll" "${args[@]}" >"$work/frontend$i.log" 2>&1 &
  pids+=($!)
  wait_ready "http://127.0.0.1:$http" "frontend$i" "$work/frontend$i.log"
  echo "frontend$i  pid $! · http://127.0.0.1:$http/"
done

[ -n "$seed" ] && { sleep 3; grep -A6 "Demo accounts" "$work/frontend1.log" || true; }
echo "database:   psql -h 127.0.0.1 -p $pg_port -U postgres"
echo "logs:       $work/*.log"
echo "running; Ctrl+C stops everything"
wait
