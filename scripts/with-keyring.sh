#!/usr/bin/env bash
# Runs a command on a private D-Bus session bus with a fresh, unlocked gnome-keyring,
# so tests that touch the OS keychain hit a real Secret Service without ever reading or
# writing the developer's own keyring.
#
#   scripts/with-keyring.sh CMD [ARGS...]               fresh keyring, 'default' alias unlocked
#   scripts/with-keyring.sh --no-keyring CMD [ARGS...]  private bus with no Secret Service at all
#
# The keyring's files live in a temp dir (XDG_DATA_HOME and XDG_RUNTIME_DIR of the daemon point
# there) that is removed afterwards. The private bus has no activatable services, so nothing
# can start a second keyring behind our back, and in --no-keyring mode
# org.freedesktop.secrets really is missing. Exits with CMD's exit code.
set -euo pipefail

usage() {
  echo "usage: $0 [--no-keyring] CMD [ARGS...]" >&2
  exit 2
}

# ---------------------------------------------------------------------------------------------
# Inner half: runs as the child of dbus-run-session, on the private bus.
# ---------------------------------------------------------------------------------------------
if [[ ${_BOTBAT_KEYRING_INNER:-} == 1 ]]; then
  tmp=$_BOTBAT_KEYRING_TMP
  mode=$_BOTBAT_KEYRING_MODE
  unset _BOTBAT_KEYRING_INNER _BOTBAT_KEYRING_TMP _BOTBAT_KEYRING_MODE

  runtime="$tmp/runtime"
  mkdir -p -m 700 "$runtime"
  # GLib and WebKitGTK complain without a runtime dir; give CMD the private one if it has none.
  if [[ -z ${XDG_RUNTIME_DIR:-} ]]; then
    export XDG_RUNTIME_DIR="$runtime"
  fi

  gkd_pid=""
  stop_daemon() {
    if [[ -n $gkd_pid ]]; then
      kill "$gkd_pid" 2>/dev/null || true
      wait "$gkd_pid" 2>/dev/null || true
      gkd_pid=""
    fi
  }
  trap stop_daemon EXIT
  trap 'stop_daemon; exit 130' INT
  trap 'stop_daemon; exit 143' TERM

  if [[ $mode == keyring ]]; then
    mkdir -p -m 700 "$tmp/data" "$runtime/keyring"
    printf '%s' "botbat-test-keyring" >"$tmp/password"
    # --unlock reads the login password from stdin and creates the 'login' keyring, which
    # becomes the 'default' collection the keyring crate writes to.
    XDG_DATA_HOME="$tmp/data" XDG_RUNTIME_DIR="$runtime" \
      gnome-keyring-daemon --foreground --unlock --components=secrets \
      --control-directory="$runtime/keyring" \
      <"$tmp/password" >"$tmp/daemon.out" 2>"$tmp/daemon.log" &
    gkd_pid=$!
    export GNOME_KEYRING_CONTROL="$runtime/keyring"
    # Tells keychain tests that a real, unlocked keyring is on this bus, so they must use it
    # (outside such a session they check that its absence is reported instead).
    export BOTBAT_TEST_KEYRING=1

    ready=""
    for _ in $(seq 1 100); do
      if ! kill -0 "$gkd_pid" 2>/dev/null; then
        break
      fi
      alias_path=$(gdbus call --session --dest org.freedesktop.secrets \
        --object-path /org/freedesktop/secrets \
        --method org.freedesktop.Secret.Service.ReadAlias default 2>/dev/null || true)
      # Prints e.g. (objectpath '/org/freedesktop/secrets/collection/login',)
      if [[ $alias_path == *"/org/freedesktop/secrets/collection/"* ]]; then
        ready=1
        break
      fi
      sleep 0.1
    done
    if [[ -z $ready ]]; then
      echo "with-keyring: gnome-keyring did not provide an unlocked 'default' collection" >&2
      cat "$tmp/daemon.log" >&2 || true
      exit 1
    fi
  fi

  set +e
  "$@"
  rc=$?
  set -e
  stop_daemon
  exit "$rc"
fi

# ---------------------------------------------------------------------------------------------
# Outer half: builds the private bus configuration and starts the session.
# ---------------------------------------------------------------------------------------------
mode=keyring
if [[ ${1:-} == --no-keyring ]]; then
  mode=none
  shift
fi
[[ $# -ge 1 ]] || usage

missing=()
command -v dbus-run-session >/dev/null || missing+=(dbus-run-session)
command -v dbus-daemon >/dev/null || missing+=(dbus-daemon)
if [[ $mode == keyring ]]; then
  command -v gnome-keyring-daemon >/dev/null || missing+=(gnome-keyring-daemon)
  command -v gdbus >/dev/null || missing+=(gdbus)
fi
if ((${#missing[@]})); then
  echo "with-keyring: missing ${missing[*]}; run scripts/setup.sh first" >&2
  exit 1
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/botbat-keyring.XXXXXX")
cleanup_tmp() { rm -rf "$tmp"; }
trap cleanup_tmp EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

mkdir -p "$tmp/services"
cat >"$tmp/session.conf" <<EOF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <keep_umask/>
  <listen>unix:dir=$tmp</listen>
  <auth>EXTERNAL</auth>
  <servicedir>$tmp/services</servicedir>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
EOF

# The bus daemon's own chatter (e.g. "Failed to set fd limit" in containers) goes to a log
# instead of interleaving with CMD's output.
printf '#!/bin/sh\nexec %q "$@" 2>>%q\n' "$(command -v dbus-daemon)" "$tmp/dbus-daemon.log" \
  >"$tmp/dbus-daemon"
chmod +x "$tmp/dbus-daemon"

set +e
_BOTBAT_KEYRING_INNER=1 _BOTBAT_KEYRING_TMP="$tmp" _BOTBAT_KEYRING_MODE="$mode" \
  dbus-run-session --dbus-daemon="$tmp/dbus-daemon" --config-file="$tmp/session.conf" \
  -- bash "${BASH_SOURCE[0]}" "$@"
rc=$?
set -e
exit "$rc"
