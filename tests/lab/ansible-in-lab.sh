# SPDX-License-Identifier: LGPL-2.1-or-later
# Run inside the lab (`lab exec` or `lab nss LINE`):
#   bash ansible-in-lab.sh LAB_DIR CLI ANSIBLE-ARGS...
# runs Debian's ansible with ANSIBLE-ARGS, one line a host (-o), as root
# on the guests with their /usr/bin/python3.  Its HOME, an empty config of
# its own (the host's /etc/ansible stays unread) and its local temp dir
# are in LAB_DIR/ansible; its remote temp dir is /tmp/.ansible-lab in the
# guests (under LAB_DIR/roots); ssh takes the lab's key and known_hosts
# from LAB_DIR/ssh/config, which checks host keys strictly.  CLI is the
# libvirt-cluster the inventory script runs.
set -eu
d=$1/ansible
mkdir -p "$d/tmp"
: >"$d/ansible.cfg"
export HOME="$d" ANSIBLE_CONFIG="$d/ansible.cfg" ANSIBLE_LOCAL_TEMP="$d/tmp" \
	ANSIBLE_REMOTE_TEMP=/tmp/.ansible-lab ANSIBLE_SSH_ARGS="-F $1/ssh/config" ANSIBLE_NOCOLOR=1 \
	PYTHONDONTWRITEBYTECODE=1 LIBVIRT_CLUSTER_BIN="$2" LIBVIRT_CLUSTER_RUNSTATE_DIR=/run/libvirt-cluster
shift 2
exec ansible "$@" -o -e ansible_user=root -e ansible_python_interpreter=/usr/bin/python3
