#!/usr/bin/env bash
# A one-node Slurm cluster on this machine, for trying a sweep's job array (and for the tests).
#
#   scripts/slurm-local.sh start   # munged, slurmctld and slurmd, in $SLURM_LOCAL_DIR
#   export SLURM_CONF=$SLURM_LOCAL_DIR/slurm.conf    # the line `start` prints: sbatch, squeue use it
#   scripts/slurm-local.sh stop    # stops the daemons it started (by their pids) and removes the folder
#
# Needs Debian's slurm-wlm and munge (`apt-get install slurm-wlm munge`). The daemons run as the
# user who starts them (root or not), and so do the jobs. Everything lives in SLURM_LOCAL_DIR (default /tmp/murmuration-slurm):
# config, munge key and socket, state, spool, logs and pid files; nothing under /etc is touched.
# SLURM_LOCAL_PORT (default 6917) is slurmctld's port; slurmd takes the next one.
set -euo pipefail
dir="${SLURM_LOCAL_DIR:-/tmp/murmuration-slurm}"
port="${SLURM_LOCAL_PORT:-6917}"

die() { echo "slurm-local: $*" >&2; exit 1; }

start() {
  for tool in munged slurmctld slurmd sinfo; do
    command -v "$tool" >/dev/null || die "$tool not found: install the packages slurm-wlm and munge"
  done
  [ -e "$dir/slurmctld.pid" ] && die "$dir already holds a running cluster (stop it first)"
  mkdir -p "$dir"/{state,spool,munge}
  chmod 700 "$dir" "$dir/munge"
  local host cpus mem
  host=$(hostname -s)
  cpus=$(nproc)
  mem=$(awk '/^MemTotal/ {print int($2 / 1024 * 0.9)}' /proc/meminfo)
  touch "$dir/.murmuration-slurm-local"
  head -c 1024 /dev/urandom > "$dir/munge/munge.key"
  chmod 400 "$dir/munge/munge.key"
  cat > "$dir/slurm.conf" <<EOF
ClusterName=murmuration
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$port
SlurmdPort=$((port + 1))
SlurmUser=$(id -un)
SlurmdUser=$(id -un)
AuthType=auth/munge
AuthInfo=socket=$dir/munge/munge.socket
CredType=cred/munge
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid.daemon
SlurmdPidFile=$dir/slurmd.pid.daemon
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
MpiDefault=none
ReturnToService=2
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=local Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
  export SLURM_CONF="$dir/slurm.conf"
  munged --foreground --force --key-file="$dir/munge/munge.key" --socket="$dir/munge/munge.socket" \
    --pid-file="$dir/munge/munged.pid.daemon" --log-file="$dir/munge/munged.log" \
    --seed-file="$dir/munge/munged.seed" > "$dir/munge/munged.out" 2>&1 &
  echo $! > "$dir/munged.pid"
  for _ in $(seq 50); do [ -S "$dir/munge/munge.socket" ] && break; sleep 0.1; done
  [ -S "$dir/munge/munge.socket" ] || { cat "$dir/munge/munged.out" >&2; stop; die "munged did not start"; }
  slurmctld -D -i -f "$dir/slurm.conf" > "$dir/slurmctld.out" 2>&1 &
  echo $! > "$dir/slurmctld.pid"
  slurmd -D -f "$dir/slurm.conf" > "$dir/slurmd.out" 2>&1 &
  echo $! > "$dir/slurmd.pid"
  local state=""
  for _ in $(seq 150); do
    state=$(sinfo -h -o %T 2>/dev/null || true)
    [ "$state" = idle ] && break
    sleep 0.2
  done
  if [ "$state" != idle ]; then
    tail -n 20 "$dir"/slurmctld.log "$dir"/slurmd.log >&2 || true
    stop
    die "the node did not become idle within 30 s (state: ${state:-none})"
  fi
  echo "slurm-local: one node ($host, $cpus CPUs) is up; use it with: export SLURM_CONF=$dir/slurm.conf"
}

stop() {
  local name pid
  # cancel what still runs, so no job step outlives the cluster
  if [ -f "$dir/slurmctld.pid" ] && command -v scancel >/dev/null; then
    SLURM_CONF="$dir/slurm.conf" scancel --user="$(id -un)" 2>/dev/null || true
    for _ in $(seq 50); do
      [ -z "$(SLURM_CONF="$dir/slurm.conf" squeue -h 2>/dev/null)" ] && break
      sleep 0.2
    done
  fi
  for name in slurmd slurmctld munged; do
    [ -f "$dir/$name.pid" ] || continue
    pid=$(cat "$dir/$name.pid")
    if kill "$pid" 2>/dev/null; then
      for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -9 "$pid" 2>/dev/null || true
    fi
    rm -f "$dir/$name.pid"
  done
  # only a folder this script made is removed
  if [ -f "$dir/.murmuration-slurm-local" ]; then
    rm -rf "$dir"
  fi
  echo "slurm-local: stopped"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
