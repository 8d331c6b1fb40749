#!/usr/bin/env bash
# A whole CaseGrains cluster on this machine, on loopback, for trying cluster mode and for load tests:
# a PostgreSQL server, the migrate step, N silos and M frontends on free ports. Prints the URLs and runs until Ctrl+C
# (or SIGTERM), whatever its children do (a silo killed for a failover test is reported, not a reason to stop).
#
#   deploy/local/cluster.sh [--silos N] [--frontends M] [--cohost] [--seed-demo] [--release] [--data DIR]
#
# --cohost: each frontend also hosts a silo that joins the cluster (CaseGrains:Frontend=Silo, gateway closed);
#           with --silos 0 there are no standalone silos at all.
# --data DIR: keep the database in DIR (created when missing, reused when it holds one) and never delete it. Without
#           it the database lives in a folder this run creates, and that folder is deleted when the run ends.
#
# On exit it stops only what it started (its own silos, frontends and PostgreSQL server, by process id) and deletes only
# folders it created in this run. Works as root too (initdb refuses root, so the server runs as the postgres user).
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
silos=2 frontends=1 seed="" configuration=Debug cohost="" data=""
while [ $# -gt 0 ]; do
  case "$1" in
    --silos) silos=$2; shift 2 ;;
    --frontends) frontends=$2; shift 2 ;;
    --seed-demo) seed=--seed-demo; shift ;;
    --release) configuration=Release; shift ;;
    --cohost) cohost=1; shift ;;
    --data) data=$2; shift 2 ;;
    *) echo "usage: $0 [--silos N] [--frontends M] [--cohost] [--seed-demo] [--release] [--data DIR]" >&2; exit 2 ;;
  esac
done

pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -x "$pg_bin/initdb" ] || { echo "PostgreSQL server binaries not found (apt-get install postgresql)" >&2; exit 1; }
as_pg() { if [ "$(id -u)" = 0 ]; then su postgres -c "$*"; else sh -c "$*"; fi; }

# What this run created (and only that is deleted at the end): the logs folder, and the database folder unless --data.
pids=() names=() created=() pg_started=""
logs=$(mktemp -d /tmp/casegrains-local-logs-XXXXXX)
created+=("$logs")
if [ -n "$data" ]; then
  mkdir -p "$data"
  pg_home=$(cd "$data" && pwd)
else
  pg_home=$(mktemp -d /tmp/casegrains-local-XXXXXX)
  created+=("$pg_home")
fi

cleanup() {
  trap - EXIT INT TERM
  echo "stopping…"
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  [ -z "$pg_started" ] || as_pg "$pg_bin/pg_ctl -D $pg_home/pg -m fast -w stop" >/dev/null 2>&1 || true
  for dir in "${created[@]}"; do rm -rf -- "$dir"; done
  [ -z "$data" ] || echo "database kept in $pg_home (start again with --data $data)"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# A port nobody listens on (bash's /dev/tcp connect fails on a free port), below the kernel's ephemeral range
# (ip_local_port_range, 32768 and up here): a port from that range can be taken between this check and the bind by any
# outgoing connection (a CI run once lost a silo's health port that way).
free_port() {
  local p low
  low=$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)
  [ "$low" -gt 12000 ] 2>/dev/null || low=32768
  while :; do
    p=$(( RANDOM % (low - 10000) + 10000 ))
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
if [ "$(id -u)" = 0 ]; then chmod 755 "$pg_home"; chown postgres:postgres "$pg_home"; fi
if [ -f "$pg_home/pg/PG_VERSION" ]; then
  echo "== PostgreSQL on 127.0.0.1:$pg_port (the database in $pg_home)"
else
  echo "== PostgreSQL on 127.0.0.1:$pg_port (a new database in $pg_home)"
  as_pg "$pg_bin/initdb -D $pg_home/pg -U postgres --auth=trust -E UTF8 --locale=C.UTF-8" >/dev/null
fi
as_pg "$pg_bin/pg_ctl -D $pg_home/pg -l $pg_home/pg.log -o '-p $pg_port -k $pg_home -c listen_addresses=127.0.0.1 -c max_connections=300' -w start" >/dev/null
pg_started=1

# Everything every process of this cluster shares. The keys are kept with a kept database (tokens and the NIK look-up
# of a reused database need the same ones).
if [ -f "$pg_home/keys.env" ]; then
  # shellcheck disable=SC1091
  . "$pg_home/keys.env"
else
  nik_key=$(head -c 32 /dev/urandom | base64) jwt_key=$(head -c 32 /dev/urandom | base64) subject_kek=$(head -c 32 /dev/urandom | base64)
  printf 'nik_key=%s\njwt_key=%s\nsubject_kek=%s\n' "$nik_key" "$jwt_key" "$subject_kek" >"$pg_home/keys.env"
  chmod 600 "$pg_home/keys.env"
fi
if [ -z "${anchor_key:-}" ]; then
  # A kept database from before the chain anchor key: give it one now.
  anchor_key=$(head -c 32 /dev/urandom | base64)
  printf 'anchor_key=%s\n' "$anchor_key" >>"$pg_home/keys.env"
fi
export CaseGrains__Mode=Cluster
export ConnectionStrings__CaseGrains="Host=127.0.0.1;Port=$pg_port;Username=postgres;Database=postgres"
export CaseGrains__NikHmacKey=$nik_key
export CaseGrains__ChainAnchorKey=$anchor_key
# A keys.env from before issue 19 has no subject_kek: one is added to it once.
if [ -z "${subject_kek:-}" ]; then
  subject_kek=$(head -c 32 /dev/urandom | base64)
  printf 'subject_kek=%s\n' "$subject_kek" >>"$pg_home/keys.env"
fi
export CaseGrains__SubjectKeyEncryptionKey=$subject_kek
export CaseGrains__Auth__JwtSigningKey=$jwt_key
export CaseGrains__AdvertisedAddress=127.0.0.1

echo "== migrate"
dotnet "$silo_dll" migrate

for i in $(seq 1 "$silos"); do
  health=$(free_port) siloport=$(free_port) gateway=$(free_port)
  dotnet "$silo_dll" --urls "http://127.0.0.1:$health" --CaseGrains:SiloPort="$siloport" --CaseGrains:GatewayPort="$gateway" \
    >"$logs/silo$i.log" 2>&1 &
  pids+=($!) names+=("silo$i")
  wait_ready "http://127.0.0.1:$health" "silo$i" "$logs/silo$i.log"
  echo "silo$i      pid $! · health http://127.0.0.1:$health/health/ready · silo port $siloport · gateway $gateway"
done

for i in $(seq 1 "$frontends"); do
  http=$(free_port)
  args=(--urls "http://127.0.0.1:$http" --contentRoot "$repo/src/WebFrontend" --CaseGrains:DataDirectory="$logs/frontend$i-data")
  [ -n "$cohost" ] && args+=(--CaseGrains:Frontend=Silo --CaseGrains:SiloPort="$(free_port)")
  [ "$i" = 1 ] && [ -n "$seed" ] && args+=("$seed")
  dotnet "$web_dll" "${args[@]}" >"$logs/frontend$i.log" 2>&1 &
  pids+=($!) names+=("frontend$i")
  wait_ready "http://127.0.0.1:$http" "frontend$i" "$logs/frontend$i.log"
  echo "frontend$i  pid $! · http://127.0.0.1:$http/"
done

if [ -n "$seed" ]; then
  # The demo accounts' passwords are printed once, when the seed creates them.
  for _ in $(seq 1 120); do grep -q "Demo seed:" "$logs/frontend1.log" && break; sleep 0.5; done
  grep -A6 "Demo accounts" "$logs/frontend1.log" || true
fi
echo "database:   psql -h 127.0.0.1 -p $pg_port -U postgres"
echo "logs:       $logs/*.log"
echo "running; Ctrl+C stops everything"

# Until a signal: a child that ends (killed for a failover test, say) is reported once; the cluster keeps running.
reported=()
while :; do
  for n in "${!pids[@]}"; do
    if ! kill -0 "${pids[$n]}" 2>/dev/null && [[ " ${reported[*]-} " != *" $n "* ]]; then
      echo "${names[$n]} (pid ${pids[$n]}) has stopped"
      reported+=("$n")
    fi
  done
  sleep 1 & wait $! || true
done
