#!/usr/bin/env bash
# Run a command where the OS keychain works for real. On a desktop session the user's keychain is used;
# on a headless Linux machine (CI) a private D-Bus session with an unlocked gnome-keyring is started.
set -euo pipefail
if [ -n "${DBUS_SESSION_BUS_ADDRESS:-}" ] || [ "$(uname)" != "Linux" ] || [ -n "${CLINIC_KEYRING_READY:-}" ]; then
  exec "$@"
fi
if ! command -v dbus-run-session >/dev/null || ! command -v gnome-keyring-daemon >/dev/null; then
  echo "with-keyring: dbus-run-session and gnome-keyring-daemon are needed (apt-get install dbus gnome-keyring)" >&2
  exit 1
fi
exec dbus-run-session -- bash -c '
  # A throwaway keyring for this run (or, for npm start on a headless dev machine, one kept in
  # CLINIC_KEYRING_DIR); its password protects nothing of value: it is a development keyring.
  if [ -n "${CLINIC_KEYRING_DIR:-}" ]; then mkdir -p "$CLINIC_KEYRING_DIR"; export XDG_DATA_HOME="$CLINIC_KEYRING_DIR"; keep=1
  else export XDG_DATA_HOME="$(mktemp -d)"; keep=0; fi
  eval "$(echo -n clinic-test | gnome-keyring-daemon --unlock --components=secrets)" >/dev/null
  export CLINIC_KEYRING_READY=1
  status=0; "$@" || status=$?
  [ "$keep" = 1 ] || rm -rf "$XDG_DATA_HOME"
  exit $status
' bash "$@"
