#!/bin/sh
# Seals the image after provision.sh: removes everything that must be unique
# per machine or must never ship (secrets, machine id, SSH host keys, the
# build user), so that each machine made from the image is fresh.
set -eu

say() { echo "seal: $*"; }

# Secrets are made by jlay-firstboot on the machine; none may be in the image.
rm -f /etc/jlay/secrets.env /etc/jlay/grafana.env

apt-get clean
rm -rf /var/lib/apt/lists/* /tmp/jlay-provision

# Per-machine identity: regenerated on first boot.
truncate -s 0 /etc/machine-id
rm -f /var/lib/dbus/machine-id
rm -f /etc/ssh/ssh_host_*
if command -v cloud-init >/dev/null 2>&1; then
  cloud-init clean --logs
fi

# The qemu sources' temporary build user (http/user-data, scripts/appliance-base).
# Inside Packer's own session (sudo from packer) it cannot go yet: the
# template's shutdown_command deletes it.
if [ "${SUDO_USER:-}" = packer ]; then
  say "build user packer: deleted by Packer's shutdown_command"
elif getent passwd packer >/dev/null; then
  rm -f /etc/sudoers.d/90-cloud-init-users /etc/sudoers.d/90-jlay-packer
  userdel --remove packer 2>/dev/null || userdel packer || true
fi

journalctl --rotate >/dev/null 2>&1 && journalctl --vacuum-time=1s >/dev/null 2>&1 || true
say "done"
