# SPDX-License-Identifier: LGPL-2.1-or-later
# Run inside the lab (in its mount namespace, or a private one within it):
#   bash resolved-up.sh ROOT LD_PATH DIR
# starts a system bus of its own and systemd-resolved from ROOT (the
# package unpacked with dpkg -x, lib.sh: resolved_tree; LD_PATH finds its
# private libsystemd-shared), and waits until resolved answers on the bus.
# The bus takes the stock system policy (no service activation) plus
# resolved's own policy file from ROOT; resolved drops to the
# systemd-resolve user, which private copies of passwd and group, bound
# over /etc's, add.  Writes DIR/{bus.conf,passwd,group,dbus.pid,
# resolved.pid,resolved.log}.  Exit 0 when resolve1 answers within 30 s,
# 77 with the reason on the last line when it cannot start.
set -u
R=$1 RLD=$2 W=$3
mkdir -p "$W" /run/dbus /run/systemd
cat >"$W/bus.conf" <<CONF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>unix:path=/run/dbus/system_bus_socket</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <deny own="*"/>
    <deny send_type="method_call"/>
    <allow send_type="signal"/>
    <allow send_requested_reply="true" send_type="method_return"/>
    <allow send_requested_reply="true" send_type="error"/>
    <allow receive_type="method_call"/>
    <allow receive_type="method_return"/>
    <allow receive_type="error"/>
    <allow receive_type="signal"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus.Introspectable"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus.Properties"/>
  </policy>
  <includedir>$R/usr/share/dbus-1/system.d</includedir>
</busconfig>
CONF
{
	cat /etc/passwd
	grep -q '^systemd-resolve:' /etc/passwd || echo 'systemd-resolve:x:991:991:systemd Resolver:/:/usr/sbin/nologin'
} >"$W/passwd"
{
	cat /etc/group
	grep -q '^systemd-resolve:' /etc/group || echo 'systemd-resolve:x:991:'
} >"$W/group"
if ! { mount -n --bind "$W/passwd" /etc/passwd && mount -n --bind "$W/group" /etc/group; }; then
	echo "cannot bind passwd and group"
	exit 77
fi
dbus-daemon --config-file="$W/bus.conf" --fork --print-pid >"$W/dbus.pid" ||
	{ echo "dbus-daemon did not start"; exit 77; }
LD_LIBRARY_PATH=$RLD setsid "$R/lib/systemd/systemd-resolved" </dev/null >"$W/resolved.log" 2>&1 &
echo $! >"$W/resolved.pid"
end=$(($(date +%s) + 30))
until busctl --system status org.freedesktop.resolve1 >/dev/null 2>&1; do
	[ "$(date +%s)" -lt "$end" ] || {
		tail -5 "$W/resolved.log"
		echo "systemd-resolved did not come up within 30 s"
		exit 77
	}
	sleep 0.05
done
