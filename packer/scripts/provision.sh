#!/bin/sh
# Provisions a Debian 12 machine into a jlay appliance. Shared by every Packer
# source and by scripts/appliance-check (which runs it in a debootstrap chroot).
#   provision.sh PACKAGE.tar.gz      (as root)
#   provision.sh --packages          only the Debian packages (scripts/appliance-base
#                                    runs this in its chroot, so the local build's
#                                    Packer step finds them installed and needs no
#                                    network; the same list either way)
# Environment:
#   JLAY_GRAFANA  auto (default): the grafana .deb bundled in the package if
#                 any, else Grafana's apt repository; repo; skip.
#   JLAY_CHROOT   1 when there is no running systemd (services are enabled,
#                 never started; the check script starts what it tests).
# Installs no secret: jlay-firstboot makes them on the machine's first boot.
set -eu

package=${1:?usage: provision.sh PACKAGE.tar.gz | --packages}
grafana=${JLAY_GRAFANA:-auto}
home=/opt/jlay
export DEBIAN_FRONTEND=noninteractive

say() { echo "provision: $*"; }

say "installing Debian packages"
# postgresql, prometheus (+ node exporter) from Debian; curl for health checks
# and the profiling recipes; procps for /bin/kill (Debian's prometheus units)
# and ps/pgrep; gnupg for Grafana's repository key; libsecp256k1-1, which the
# relay verifies secp256k1 signatures with (BouncyCastle if it were missing).
packages="postgresql prometheus prometheus-node-exporter libsecp256k1-1
  adduser curl ca-certificates gnupg procps systemd-timesyncd"
# Security updates install themselves (configured below).
packages="$packages unattended-upgrades"
# shellcheck disable=SC2086  # a list of package names
if plan=$(apt-get install -s -q --no-install-recommends $packages 2>&1) && ! printf '%s\n' "$plan" | grep -q '^Inst '; then
  say "every package is installed already (scripts/appliance-base put them in the base image)"
else
  apt-get update -q
  apt-get install -y -q --no-install-recommends $packages
fi
if [ "$package" = --packages ]; then
  exit 0
fi

say "creating the jlay user"
if ! getent passwd jlay >/dev/null; then
  adduser --system --group --home /var/lib/jlay --no-create-home --shell /usr/sbin/nologin jlay
fi

say "installing the relay into $home"
rm -rf "$home.new"
mkdir -p "$home.new"
tar -xzf "$package" -C "$home.new" --strip-components=1 --no-same-owner
rm -rf "$home.old"
[ -d "$home" ] && mv "$home" "$home.old"
mv "$home.new" "$home"
rm -rf "$home.old"
chown -R root:root "$home"
chmod -R go-w "$home"
"$home/runtime/bin/java" -version
# `jlay simulate`, `jlay check-config`, ...: the relay's CLI on the PATH.
ln -sfn "$home/bin/jlay-relay" /usr/local/bin/jlay

a=$home/appliance
say "configuration"
install -d -m 0755 /etc/jlay
install -m 0644 "$a/relay.yaml" /etc/jlay/relay.yaml
install -m 0644 "$a/relay.env" /etc/jlay/relay.env
install -d -o jlay -g jlay -m 0750 /var/lib/jlay

say "systemd units, sysctl, limits, journald"
install -m 0644 "$a/systemd/jlay-relay.service" "$a/systemd/jlay-firstboot.service" /etc/systemd/system/
install -d /etc/systemd/system/grafana-server.service.d
install -m 0644 "$a/systemd/grafana-server.service.d/jlay.conf" /etc/systemd/system/grafana-server.service.d/jlay.conf
install -m 0644 "$a/sysctl/60-jlay.conf" /etc/sysctl.d/60-jlay.conf
install -m 0644 "$a/limits/60-jlay.conf" /etc/security/limits.d/60-jlay.conf
install -d /etc/systemd/journald.conf.d
install -m 0644 "$a/journald/60-jlay.conf" /etc/systemd/journald.conf.d/60-jlay.conf
install -d -m 2755 -g systemd-journal /var/log/journal

say "PostgreSQL"
for conf in /etc/postgresql/*/main; do
  install -d "$conf/conf.d"
  install -m 0644 "$a/postgresql/jlay.conf" "$conf/conf.d/jlay.conf"
done

say "Prometheus"
install -m 0644 "$a/prometheus/prometheus.yml" /etc/prometheus/prometheus.yml
install -m 0644 "$home/dashboards/jlay-alerts.yml" /etc/prometheus/jlay-alerts.yml
install -m 0644 "$a/prometheus/prometheus.default" /etc/default/prometheus
install -m 0644 "$a/prometheus/node-exporter.default" /etc/default/prometheus-node-exporter

say "Grafana provisioning"
install -d /etc/grafana/provisioning/datasources /etc/grafana/provisioning/dashboards
install -m 0644 "$a/grafana/provisioning/datasources/jlay.yaml" /etc/grafana/provisioning/datasources/jlay.yaml
install -m 0644 "$a/grafana/provisioning/dashboards/jlay.yaml" /etc/grafana/provisioning/dashboards/jlay.yaml
bundled=$(ls "$home"/extra/grafana*.deb 2>/dev/null | head -n1 || true)
case "$grafana" in
  skip)
    say "GRAFANA SKIPPED (JLAY_GRAFANA=skip): provisioning files are in place, the server is not installed"
    grafana_note="grafana: SKIPPED at build time (JLAY_GRAFANA=skip), dashboards in /opt/jlay/dashboards, provisioning in /etc/grafana/provisioning"
    ;;
  auto|repo)
    if [ "$grafana" = auto ] && [ -n "$bundled" ]; then
      say "installing the bundled $(basename "$bundled")"
      apt-get install -y -q --no-install-recommends "$bundled"
    else
      say "installing Grafana from apt.grafana.com"
      install -d -m 0755 /etc/apt/keyrings
      curl -fsSL https://apt.grafana.com/gpg.key | gpg --dearmor -o /etc/apt/keyrings/grafana.gpg
      echo "deb [signed-by=/etc/apt/keyrings/grafana.gpg] https://apt.grafana.com stable main" \
        >/etc/apt/sources.list.d/grafana.list
      apt-get update -q
      apt-get install -y -q --no-install-recommends grafana
    fi
    ;;
  *)
    echo "provision: JLAY_GRAFANA must be auto, repo or skip (got $grafana)" >&2
    exit 1
    ;;
esac

say "security updates: unattended-upgrades, daily"
printf 'APT::Periodic::Update-Package-Lists "1";\nAPT::Periodic::Unattended-Upgrade "1";\n' \
  >/etc/apt/apt.conf.d/20auto-upgrades

say "SSH: keys only, no passwords"
if [ -d /etc/ssh ]; then
  install -d /etc/ssh/sshd_config.d
  # seal.sh deletes the host keys; this makes new ones on the first boot where
  # nothing else (cloud-init) has.
  install -m 0644 "$a/systemd/jlay-ssh-hostkeys.service" /etc/systemd/system/
  systemctl enable jlay-ssh-hostkeys.service
  printf '# jlay appliance: log in with a key (cloud-init, or the local image'"'"'s fw_cfg key).\nPasswordAuthentication no\nKbdInteractiveAuthentication no\nPermitEmptyPasswords no\n' \
    >/etc/ssh/sshd_config.d/60-jlay.conf
fi

say "enabling services"
systemctl enable postgresql prometheus prometheus-node-exporter jlay-firstboot.service jlay-relay.service
if [ -f /lib/systemd/system/grafana-server.service ] || [ -f /usr/lib/systemd/system/grafana-server.service ]; then
  systemctl enable grafana-server
fi
if [ "${JLAY_CHROOT:-0}" != 1 ]; then
  systemctl daemon-reload
  sysctl --system >/dev/null
  systemctl restart systemd-journald prometheus prometheus-node-exporter postgresql
fi

version=$(cat "$home/VERSION" 2>/dev/null || echo unknown)
printf 'jlay %s\nprovisioned %s\n%s\n' "$version" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
  "${grafana_note:-grafana: installed}" >/etc/jlay/image-info
say "done: jlay $version; secrets are made on first boot (jlay-firstboot.service)"
