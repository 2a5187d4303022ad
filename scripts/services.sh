#!/usr/bin/env bash
# Starts the local PostgreSQL and Redis that BoCloud and its tests use (and the Mosquitto the
# MQTT tests use), when they are installed but not running. Does nothing when they already answer.
set -euo pipefail

if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
  if command -v pg_ctlcluster >/dev/null && [ -d /etc/postgresql ]; then
    echo "Starting PostgreSQL…"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -n 1)" main start
  else
    echo "PostgreSQL is not running on 127.0.0.1:5432 and pg_ctlcluster was not found." >&2
    exit 1
  fi
  for _ in $(seq 1 50); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 0.2; done
fi

if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  if command -v redis-server >/dev/null; then
    echo "Starting Redis…"
    mkdir -p /var/lib/redis /var/log/redis 2>/dev/null || true
    redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
      --dir /var/lib/redis --logfile /var/log/redis/ci.log
  else
    echo "Redis is not running on 127.0.0.1:6379 and redis-server was not found." >&2
    exit 1
  fi
  for _ in $(seq 1 50); do redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break; sleep 0.2; done
fi

# Mosquitto on 127.0.0.1:1883: the broker of the MQTT shared-subscription test.
mosquitto_bin=$(command -v mosquitto || { [ -x /usr/sbin/mosquitto ] && echo /usr/sbin/mosquitto; } || true)
if [ -n "$mosquitto_bin" ] && ! (exec 3<>/dev/tcp/127.0.0.1/1883) 2>/dev/null; then
  echo "Starting Mosquitto…"
  if [ -f /etc/mosquitto/mosquitto.conf ]; then
    mkdir -p /run/mosquitto /var/log/mosquitto 2>/dev/null || true
    chown mosquitto: /run/mosquitto /var/log/mosquitto 2>/dev/null || true
    "$mosquitto_bin" -d -c /etc/mosquitto/mosquitto.conf
  else
    "$mosquitto_bin" -d -p 1883
  fi
  for _ in $(seq 1 50); do (exec 3<>/dev/tcp/127.0.0.1/1883) 2>/dev/null && break; sleep 0.2; done
fi
