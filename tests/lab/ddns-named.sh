# SPDX-License-Identifier: LGPL-2.1-or-later
# Sourced by the cluster-DNS lab tests: a private BIND 9 setup (never
# /etc/bind): zone files and a named.conf for `named -g -c`.

# ddns_zone_files DIR NS-ADDRESS FIRST-ZONE ZONE...: an SOA and NS per zone,
# the name server's A in the first.
ddns_zone_files() {
	local dir=$1 ns=$2 first=$3 z
	shift 2
	mkdir -p "$dir"
	for z in "$@"; do
		printf '%s\n' '$TTL 60' "@ IN SOA ns.$first. admin.$first. 1 60 60 600 60" \
			"@ IN NS ns.$first." >"$dir/$z.zone"
	done
	echo "ns IN A $ns" >>"$dir/$first.zone"
}

# ddns_named_conf DIR LISTEN PORT KEYFILE KEYNAME ZONE...: DIR/named.conf
# listening on LISTEN ("127.0.0.1; 10.0.0.1;") port PORT; each zone takes
# updates and transfers signed with the key, but a zone written !ZONE takes
# no updates.
ddns_named_conf() {
	local dir=$1 listen=$2 port=$3 keyfile=$4 key=$5 z
	shift 5
	{
		echo "options { directory \"$dir\"; pid-file \"$dir/named.pid\";"
		echo "	session-keyfile \"$dir/session.key\"; listen-on port $port { $listen };"
		echo "	listen-on-v6 { none; }; recursion no; dnssec-validation no; notify no; };"
		echo "controls { };"
		echo "include \"$keyfile\";"
		for z in "$@"; do
			if [ "${z#!}" != "$z" ]; then
				echo "zone \"${z#!}\" { type primary; file \"$dir/${z#!}.zone\"; };"
			else
				echo "zone \"$z\" { type primary; file \"$dir/$z.zone\";"
				echo "	update-policy { grant $key zonesub ANY; }; allow-transfer { key $key; }; };"
			fi
		done
	} >"$dir/named.conf"
}
