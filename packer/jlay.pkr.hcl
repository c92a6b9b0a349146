# jlay appliance image: a Debian 12 machine that boots into a running,
# monitored relay. Three sources share one provisioning (scripts/provision.sh):
#   qemu.local     local build from scripts/appliance-base's disk (Debian packages
#                  only, no cloud image, no network in the VM): scripts/appliance-image
#   qemu.debian    local build from the Debian cloud image (KVM, or TCG without it)
#   hcloud.debian  a Hetzner Cloud snapshot
# Validates with Packer 1.6.6 (Debian's package), which has both builders
# built in. Newer Packer (>= 1.7) moved them to plugins: see README.md for the
# required_plugins block and `packer init`.
#
#   scripts/package                                     # builds target/dist/jlay-*.tar.gz
#   packer build -only=qemu.debian -var package=target/dist/jlay-0.1.0-SNAPSHOT-linux-x64.tar.gz packer

variable "package" {
  type        = string
  description = "The tarball made by scripts/package (jlink runtime + relay + appliance files)."
}

variable "grafana" {
  type        = string
  default     = "auto"
  description = "auto: the .deb bundled by `scripts/package --grafana-deb FILE` if any, else apt.grafana.com; repo; skip."
}

variable "accelerator" {
  type        = string
  default     = "kvm"
  description = "qemu accelerator: kvm where /dev/kvm exists, tcg otherwise (about 10-20x slower)."
}

variable "cloud_image_url" {
  type    = string
  default = "https://cloud.debian.org/images/cloud/bookworm/latest/debian-12-genericcloud-amd64.qcow2"
}

# No default on purpose: a "file:https://..." default would make even
# `packer validate` fetch it. Take it from SHA512SUMS beside the image
# (README.md shows the command), e.g. "sha512:3b1f...".
variable "cloud_image_checksum" {
  type = string
}

# qemu.local: the disk scripts/appliance-base made, its sha256 and the build
# user's key (the defaults are where appliance-base puts them).
variable "base_image" {
  type    = string
  default = "target/appliance/base/debian-12-jlay-base.qcow2"
}

# No default, like cloud_image_checksum: a "file:" default would make even
# `packer validate` read it. scripts/appliance-image passes "sha256:<hex>".
variable "base_image_checksum" {
  type = string
}

variable "base_ssh_key" {
  type    = string
  default = "target/appliance/base/packer_ed25519"
}

variable "output_directory" {
  type    = string
  default = "target/appliance/packer-output"
}

variable "disk_size" {
  type    = string
  default = "20G"
}

variable "hcloud_token" {
  type      = string
  default   = env("HCLOUD_TOKEN")
  sensitive = true
}

variable "hcloud_location" {
  type    = string
  default = "fsn1"
}

variable "hcloud_server_type" {
  type    = string
  default = "cx22"
}

source "qemu" "debian" {
  iso_url          = var.cloud_image_url
  iso_checksum     = var.cloud_image_checksum
  disk_image       = true
  disk_size        = var.disk_size
  format           = "qcow2"
  accelerator      = var.accelerator
  cpus             = 2
  memory           = 2048
  headless         = true
  net_device       = "virtio-net"
  disk_interface   = "virtio"
  output_directory = "output-qemu"
  vm_name          = "jlay.qcow2"
  # cloud-init NoCloud over Packer's HTTP server creates the build user.
  http_directory = "${path.root}/http"
  qemuargs = [
    ["-smbios", "type=1,serial=ds=nocloud-net;s=http://{{ .HTTPIP }}:{{ .HTTPPort }}/"],
  ]
  # The temporary user from http/user-data; reachable only through qemu's
  # loopback port forward during the build, deleted by seal.sh.
  ssh_username     = "packer"
  ssh_password     = "jlay-build-only"
  ssh_timeout      = "30m"
  shutdown_command = "sudo sh -c 'rm -f /etc/sudoers.d/90-cloud-init-users; userdel -f -r packer; shutdown -P now'"
}

source "qemu" "local" {
  iso_url      = var.base_image
  iso_checksum = var.base_image_checksum
  disk_image   = true
  # The base disk's partition is its full size; growing the qcow2 would only
  # add space no partition uses.
  skip_resize_disk = true
  format           = "qcow2"
  disk_compression = true
  accelerator      = var.accelerator
  cpus             = 1
  memory           = 2048
  headless         = true
  net_device       = "virtio-net"
  disk_interface   = "virtio"
  output_directory = var.output_directory
  vm_name          = "jlay.qcow2"
  # restrict=on: the guest reaches nothing (every package is on the base disk);
  # the one forward, for Packer's SSH, listens on the host's loopback only.
  qemuargs = [
    ["-netdev", "user,id=user.0,restrict=on,hostfwd=tcp:127.0.0.1:{{ .SSHHostPort }}-:22"],
  ]
  ssh_username         = "packer"
  ssh_private_key_file = var.base_ssh_key
  ssh_timeout          = "60m"
  # The build user goes last, from its own sudo (seal.sh cannot delete a
  # user that is still logged in).
  shutdown_command = "sudo sh -c 'rm -f /etc/sudoers.d/90-jlay-packer; userdel -f -r packer; shutdown -P now'"
  shutdown_timeout = "15m"
}

source "hcloud" "debian" {
  token         = var.hcloud_token
  image         = "debian-12"
  location      = var.hcloud_location
  server_type   = var.hcloud_server_type
  ssh_username  = "root"
  snapshot_name = "jlay-{{ timestamp }}"
  snapshot_labels = {
    app = "jlay"
  }
}

build {
  sources = ["source.qemu.local", "source.qemu.debian", "source.hcloud.debian"]

  provisioner "shell" {
    inline = ["mkdir -p /tmp/jlay-provision"]
  }

  provisioner "file" {
    source      = var.package
    destination = "/tmp/jlay-provision/jlay.tar.gz"
  }

  provisioner "file" {
    source      = "${path.root}/scripts/"
    destination = "/tmp/jlay-provision"
  }

  provisioner "shell" {
    execute_command = "chmod +x {{ .Path }}; sudo -E sh -c '{{ .Vars }} {{ .Path }}'"
    environment_vars = [
      "JLAY_GRAFANA=${var.grafana}",
      "DEBIAN_FRONTEND=noninteractive",
    ]
    inline = [
      "sh /tmp/jlay-provision/provision.sh /tmp/jlay-provision/jlay.tar.gz",
      "sh /tmp/jlay-provision/seal.sh",
    ]
  }
}
