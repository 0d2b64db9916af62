#!/usr/bin/env bash
# Starts a one-node Slurm cluster on this machine (controller and compute node on localhost),
# for trying `descent sweep --emit slurm` without a real cluster.
#
#   scripts/slurm/start-local-slurm.sh          # install if needed, configure, start
#   sinfo; squeue                               # the node should be idle
#   scripts/slurm/start-local-slurm.sh stop     # stop the daemons
#
# Needs root (or sudo) and Debian/Ubuntu apt. It works without systemd (containers): the
# daemons are started directly. Configuration goes to /etc/slurm/slurm.conf (a previous file is
# kept as slurm.conf.bak); logs to /var/log/slurm/.
set -euo pipefail

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

stop() {
    for daemon in slurmd slurmctld munged; do
        if pid=$(pgrep -x "$daemon"); then
            echo "stopping $daemon ($pid)"
            $SUDO kill $pid || true
        fi
    done
}

if [ "${1:-}" = "stop" ]; then stop; exit 0; fi

if ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null; then
    echo "installing slurm-wlm and munge (apt)"
    $SUDO apt-get update -q
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q slurm-wlm munge
fi

host=$(hostname -s)
cpus=$(nproc)
# Leave some memory to the system; Slurm refuses a node that reports less than configured.
mem_mb=$(awk '/MemTotal/ { printf "%d", $2 / 1024 * 0.9 }' /proc/meminfo)

# munge authenticates the Slurm daemons to each other.
if [ ! -s /etc/munge/munge.key ]; then
    if command -v mungekey >/dev/null; then $SUDO mungekey --create --force; else $SUDO create-munge-key -f; fi
fi
$SUDO mkdir -p /run/munge /var/log/munge /var/lib/munge
$SUDO chown -R munge:munge /etc/munge /run/munge /var/log/munge /var/lib/munge
$SUDO chmod 0700 /etc/munge
$SUDO chmod 0400 /etc/munge/munge.key
if ! pgrep -x munged >/dev/null; then
    if [ -z "$SUDO" ]; then runuser -u munge -- /usr/sbin/munged; else sudo -u munge /usr/sbin/munged; fi
fi
munge -n | unmunge >/dev/null && echo "munge ok"

$SUDO mkdir -p /etc/slurm /var/lib/slurm/slurmctld /var/lib/slurm/slurmd /var/log/slurm
if [ -f /etc/slurm/slurm.conf ] && ! grep -q "descent local" /etc/slurm/slurm.conf; then
    $SUDO cp /etc/slurm/slurm.conf /etc/slurm/slurm.conf.bak
fi
$SUDO tee /etc/slurm/slurm.conf >/dev/null <<CONF
# descent local single-node cluster (scripts/slurm/start-local-slurm.sh)
ClusterName=descent-local
SlurmctldHost=${host}
SlurmUser=root
AuthType=auth/munge
MpiDefault=none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
SlurmctldPidFile=/run/slurmctld.pid
SlurmdPidFile=/run/slurmd.pid
StateSaveLocation=/var/lib/slurm/slurmctld
SlurmdSpoolDir=/var/lib/slurm/slurmd
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
MaxArraySize=100001
NodeName=${host} CPUs=${cpus} RealMemory=${mem_mb} State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
# Some plugins read cgroup.conf even when unused; an empty autodetect config keeps them quiet.
if [ ! -f /etc/slurm/cgroup.conf ]; then echo "CgroupPlugin=autodetect" | $SUDO tee /etc/slurm/cgroup.conf >/dev/null; fi

pgrep -x slurmctld >/dev/null || $SUDO /usr/sbin/slurmctld
pgrep -x slurmd >/dev/null || $SUDO /usr/sbin/slurmd

# Wait until the node is usable.
for _ in $(seq 1 30); do
    state=$(sinfo -h -N -o "%T" 2>/dev/null | head -1 || true)
    case "$state" in
        idle*|mixed*|allocated*) echo "slurm ready: node ${host} is ${state}"; exit 0 ;;
        down*|drain*) $SUDO scontrol update NodeName="${host}" State=RESUME 2>/dev/null || true ;;
    esac
    sleep 1
done
echo "slurm did not become ready; see /var/log/slurm/slurmctld.log and slurmd.log" >&2
sinfo >&2 || true
exit 1
