// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * l2-announcer ARP and NDP responder.
 *
 * Answers, in the kernel, ARP requests for {target IP, ingress ifindex} present in the pinned
 * l2_responder_v4 map and IPv6 Neighbor Solicitations for {target, ingress ifindex} present in the
 * pinned l2_responder_v6 map (both in Cilium's layout, see cilium/cilium bpf/lib/l2_responder.h), and
 * passes everything else untouched.
 *
 * Hook choice: XDP. It sees the request before the stack and replies with XDP_TX out of the same
 * interface, the cheapest possible path, and it is attached through a pinned bpf_link so a stray
 * netlink attach cannot silently replace it. The Java loader picks the mode per interface:
 *  - veth: generic (SKB) mode. Native XDP_TX on a veth only delivers when the peer veth also runs
 *    an XDP program, which we do not control on kind nodes, VMs and containers whose uplink is a veth.
 *  - anything else (real NICs): native (driver) mode, falling back to generic when the driver
 *    has no XDP support.
 * tc/tcx ingress (what Cilium uses) was not chosen: libbpf 1.1.2 (Debian 12) has no tcx attach, and
 * the legacy tc hook cannot be protected by a link.
 *
 * Liveness, as Cilium's handle_l2_announcement (cilium/cilium bpf/bpf_host.c: it reads
 * RUNTIME_CONFIG_AGENT_LIVENESS from cilium_runtime_config and returns CTX_ACT_OK when
 * ktime_get_ns() - time > L2_ANNOUNCEMENTS_MAX_LIVENESS, "we can't trust the contents of the
 * responder map anymore"): the agent writes a CLOCK_MONOTONIC timestamp (bpf_ktime_get_ns' clock)
 * and a max age (see LivenessTiming.java: below leaseDuration - retryPeriod) into l2_liveness. If the stamp is older than max age, or was
 * never written (0), the program stops answering, ARP and NDP alike: a dead agent must not keep
 * claiming the IPs, and it goes silent before another node can take the lease over.
 *
 * Map names: Cilium's own maps are named cilium_l2_responder_v4/_v6 in recent releases; ours are
 * l2_responder_v4 and l2_responder_v6 (15 chars, the kernel's name limit) with the same key/value layouts.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

/* <linux/if_arp.h> pulls glibc headers that do not build with -target bpf: define what we need. */
#define ARPHRD_ETHER 1
#define ARPOP_REQUEST 1
#define ARPOP_REPLY 2

struct arp_eth_ipv4 {
	__be16 ar_hrd;
	__be16 ar_pro;
	__u8 ar_hln;
	__u8 ar_pln;
	__be16 ar_op;
	__u8 ar_sha[ETH_ALEN];
	__be32 ar_sip;
	__u8 ar_tha[ETH_ALEN];
	__be32 ar_tip;
} __attribute__((packed));

struct l2_responder_v4_key {
	__u32 ip4;     /* network byte order */
	__u32 ifindex; /* host byte order */
};

/* Cilium's struct l2_responder_v6_key (union v6addr ip6; __u32 ifindex; __u32 pad): 24 bytes. */
struct l2_responder_v6_key {
	__u8 ip6[16];  /* network byte order */
	__u32 ifindex; /* host byte order */
	__u32 pad;     /* always 0 */
};

struct l2_responder_stats {
	__u64 responses_sent;
};

struct if_mac {
	__u8 addr[ETH_ALEN];
	__u8 pad[2];
};

struct liveness {
	__u64 last_refresh_ns; /* CLOCK_MONOTONIC, 0 = never */
	__u64 max_age_ns;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, struct l2_responder_v4_key);
	__type(value, struct l2_responder_stats);
	__uint(max_entries, 4096);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} l2_responder_v4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, struct l2_responder_v6_key);
	__type(value, struct l2_responder_stats);
	__uint(max_entries, 4096);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} l2_responder_v6 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, __u32); /* ifindex */
	__type(value, struct if_mac);
	__uint(max_entries, 1024);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} l2_if_mac SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, struct liveness);
	__uint(max_entries, 1);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} l2_liveness SEC(".maps");

static __always_inline int agent_alive(void)
{
	__u32 zero = 0;
	struct liveness *l = bpf_map_lookup_elem(&l2_liveness, &zero);

	if (!l || l->last_refresh_ns == 0)
		return 0;
	return bpf_ktime_get_ns() - l->last_refresh_ns <= l->max_age_ns;
}

static __always_inline int is_broadcast(const __u8 *a)
{
	return (a[0] & a[1] & a[2] & a[3] & a[4] & a[5]) == 0xff;
}

static __always_inline int same_mac(const __u8 *a, const __u8 *b)
{
	return a[0] == b[0] && a[1] == b[1] && a[2] == b[2] && a[3] == b[3] && a[4] == b[4] && a[5] == b[5];
}

static __always_inline int handle_arp(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct arp_eth_ipv4 *arp = (void *)(eth + 1);
	struct l2_responder_v4_key key = {};
	struct l2_responder_stats *stats;
	struct if_mac *mac;
	__u32 ifindex = ctx->ingress_ifindex;
	__be32 sip, tip;

	if ((void *)(arp + 1) > data_end)
		return XDP_PASS;
	if (arp->ar_hrd != bpf_htons(ARPHRD_ETHER) || arp->ar_pro != bpf_htons(ETH_P_IP) ||
	    arp->ar_hln != ETH_ALEN || arp->ar_pln != 4 || arp->ar_op != bpf_htons(ARPOP_REQUEST))
		return XDP_PASS;

	sip = arp->ar_sip;
	tip = arp->ar_tip;
	/* sender == target is someone's gratuitous ARP / address conflict probe: not ours to answer. */
	if (sip == tip)
		return XDP_PASS;

	key.ip4 = tip;
	key.ifindex = ifindex;
	stats = bpf_map_lookup_elem(&l2_responder_v4, &key);
	if (!stats)
		return XDP_PASS;
	mac = bpf_map_lookup_elem(&l2_if_mac, &ifindex);
	if (!mac)
		return XDP_PASS;
	/* Like Cilium's arp_check (bpf/lib/arp.h): only a request sent to broadcast or to this
	 * interface's own MAC is ours; a unicast request for another MAC (e.g. a neighbour's unicast
	 * re-validation of another host) is not. */
	if (!is_broadcast(eth->h_dest) && !same_mac(eth->h_dest, mac->addr))
		return XDP_PASS;
	/* A multicast/broadcast sender hardware address is bogus: never make it our reply's destination. */
	if (arp->ar_sha[0] & 1)
		return XDP_PASS;
	if (!agent_alive())
		return XDP_PASS;

	/* Turn the request into the reply in place. */
	__builtin_memcpy(eth->h_dest, arp->ar_sha, ETH_ALEN);
	__builtin_memcpy(eth->h_source, mac->addr, ETH_ALEN);
	arp->ar_op = bpf_htons(ARPOP_REPLY);
	__builtin_memcpy(arp->ar_tha, arp->ar_sha, ETH_ALEN);
	arp->ar_tip = sip;
	__builtin_memcpy(arp->ar_sha, mac->addr, ETH_ALEN);
	arp->ar_sip = tip;

	/* Counts XDP_TX attempts, not deliveries. */
	__sync_fetch_and_add(&stats->responses_sent, 1);
	return XDP_TX;
}

/*
 * ---- NDP: Neighbor Solicitation -> Neighbor Advertisement (RFC 4861) ----
 *
 * What is answered: an NS that passes every receiver check of RFC 4861 section 7.1.1 (hop limit 255,
 * ICMPv6 code 0, ICMP length >= 24 octets, target not multicast, valid checksum, every option of
 * non-zero length; from :: only to the target's solicited-node group and without a source link-layer
 * address option), carried directly by IPv6 (no extension headers), whose {target, ingress ifindex}
 * is in l2_responder_v6, and which is addressed to us: either to the target's solicited-node group
 * (ff02::1:ffXX:XXXX, Ethernet 33:33:ff:XX:XX:XX, RFC 4291 2.7.1 / RFC 2464 7) or unicast to the
 * target on the interface's own MAC (neighbour unreachability detection). Like the ARP path, a
 * solicitation unicast to another MAC is not ours, and a multicast Ethernet source or source
 * link-layer address is never made the destination of a reply.
 *
 * The answer (RFC 4861 7.2.4), built in place and sent back out with XDP_TX:
 *  - source address = the target itself (what Linux' ndisc_send_na does for its own addresses),
 *    hop limit 255, R=0 (we are not a router), O=1 (RFC 4861 7.2.5: a client's existing entry for the
 *    VIP is replaced; Cilium leaves O unset, so a client that still has the old node's MAC keeps it),
 *    a target link-layer address option with the interface's MAC, correct ICMPv6 checksum;
 *  - to a solicitation from a unicast address: S=1, to that address, Ethernet destination = the
 *    source link-layer address option if present, else the frame's source MAC;
 *  - to a DAD probe (source ::, RFC 4862 5.4.3): S=0, to all-nodes ff02::1 (33:33:00:00:00:01), as
 *    RFC 4861 7.2.4 requires for an unspecified source. Decision: a DAD probe for an announced VIP is
 *    answered, like an RFC 5227 ARP probe on the IPv4 path: the VIP is in use, so a host trying to
 *    configure it detects the duplicate and backs off instead of stealing the traffic, and the agents'
 *    health probes (DAD-form solicitations, which no receiver learns anything from) see who answers.
 *
 * Solicitations longer than NS_MAX_LEN octets (many options) are passed: real ones carry at most a
 * source link-layer address and a nonce (RFC 7527) option.
 */
#define IPPROTO_ICMPV6_ 58
#define NDISC_NS 135
#define NDISC_NA 136
#define ND_OPT_SLLA 1
#define ND_OPT_TLLA 2
#define NS_FIXED_LEN 24                     /* type, code, checksum, reserved, target */
#define NS_MAX_LEN 128                      /* ICMP length we check the checksum of: 32 words */
#define NS_MAX_OPTS ((NS_MAX_LEN - NS_FIXED_LEN) / 8)
#define NA_LEN 32                           /* fixed part + target link-layer address option */
#define NA_FRAME_LEN (14 + 40 + NA_LEN)
#define NA_FLAG_SOLICITED bpf_htonl(0x40000000)
#define NA_FLAG_OVERRIDE bpf_htonl(0x20000000)

struct ip6hdr_ {
	__be32 vtc_flow;
	__be16 payload_len;
	__u8 nexthdr;
	__u8 hop_limit;
	__u8 saddr[16];
	__u8 daddr[16];
} __attribute__((packed));

struct nd_msg_ {
	__u8 type;
	__u8 code;
	__u16 cksum;
	__be32 flags; /* NA: R, S, O in the top bits; NS: reserved */
	__u8 target[16];
} __attribute__((packed));

struct nd_opt_lla {
	__u8 type;
	__u8 len; /* in units of 8 octets */
	__u8 addr[ETH_ALEN];
} __attribute__((packed));

static __always_inline int is_unspecified6(const __u8 *a)
{
	const __u32 *w = (const __u32 *)a;

	return (w[0] | w[1] | w[2] | w[3]) == 0;
}

/* ff02::1:ffXX:XXXX for the target's low 24 bits (RFC 4291 section 2.7.1). */
static __always_inline int is_solicited_node_of(const __u8 *dst, const __u8 *target)
{
	const __u32 *w = (const __u32 *)dst;

	return w[0] == bpf_htonl(0xff020000) && w[1] == 0 && w[2] == bpf_htonl(1) && dst[12] == 0xff &&
	       dst[13] == target[13] && dst[14] == target[14] && dst[15] == target[15];
}

static __always_inline int same_ip6(const __u8 *a, const __u8 *b)
{
	const __u32 *x = (const __u32 *)a, *y = (const __u32 *)b;

	return x[0] == y[0] && x[1] == y[1] && x[2] == y[2] && x[3] == y[3];
}

/* Ethernet address of an IPv6 multicast group: 33:33 + its low 32 bits (RFC 2464 section 7). */
static __always_inline int is_mcast_mac_of(const __u8 *mac, const __u8 *group)
{
	return mac[0] == 0x33 && mac[1] == 0x33 && mac[2] == group[12] && mac[3] == group[13] &&
	       mac[4] == group[14] && mac[5] == group[15];
}

static __always_inline __u32 fold(__u64 sum)
{
	sum = (sum & 0xffffffff) + (sum >> 32);
	sum = (sum & 0xffffffff) + (sum >> 32);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (__u32)sum;
}

/*
 * One's complement sum of the IPv6 pseudo-header (RFC 8200 section 8.1) and of the ICMPv6 message of
 * icmp_len octets (a multiple of 4, at most NS_MAX_LEN) at msg, in native-endian 32-bit words: the
 * Internet checksum is byte-order independent (RFC 1071 section 2(B)), so folding the native sum and
 * storing it natively gives the right bytes.
 */
static __always_inline __u64 icmp6_sum(const struct ip6hdr_ *ip6, const void *msg, __u32 icmp_len, void *data_end)
{
	const __u32 *s = (const __u32 *)ip6->saddr, *d = (const __u32 *)ip6->daddr;
	__u64 sum = 0;

	sum += s[0]; sum += s[1]; sum += s[2]; sum += s[3];
	sum += d[0]; sum += d[1]; sum += d[2]; sum += d[3];
	sum += bpf_htonl(icmp_len);
	sum += bpf_htonl(IPPROTO_ICMPV6_);
	for (__u32 i = 0; i < NS_MAX_LEN / 4; i++) {
		const __u32 *w = (const __u32 *)msg + i;

		if (i >= icmp_len / 4)
			break;
		if ((void *)(w + 1) > data_end)
			return 0; /* cannot happen after the caller's length check; 0 never folds to 0xffff */
		sum += *w;
	}
	return sum;
}

static __always_inline int handle_ndp(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct ip6hdr_ *ip6 = (void *)(eth + 1);
	struct nd_msg_ *ns = (void *)(ip6 + 1);
	struct l2_responder_v6_key key = {};
	struct l2_responder_stats *stats;
	struct if_mac *mac;
	__u32 ifindex = ctx->ingress_ifindex;
	__u8 target[16], reply_ip[16], reply_mac[ETH_ALEN];
	int from_unspecified, multicast_dst, have_slla = 0;
	__u32 icmp_len;

	if ((void *)(ns + 1) > data_end)
		return XDP_PASS;
	if (ip6->nexthdr != IPPROTO_ICMPV6_ || ns->type != NDISC_NS)
		return XDP_PASS;
	/* RFC 4861 7.1.1: hop limit 255 (the solicitation was not forwarded by a router), code 0. */
	if (ip6->hop_limit != 255 || ns->code != 0)
		return XDP_PASS;
	icmp_len = bpf_ntohs(ip6->payload_len);
	/* ICMP length >= 24; options come in units of 8 octets, so a valid length is a multiple of 8. */
	if (icmp_len < NS_FIXED_LEN || icmp_len > NS_MAX_LEN || (icmp_len & 7) != 0)
		return XDP_PASS;
	if ((void *)ns + icmp_len > data_end)
		return XDP_PASS;
	/* Target not multicast (ff00::/8). */
	if (ns->target[0] == 0xff)
		return XDP_PASS;
	/* A multicast source address is invalid (RFC 4291 2.7); a multicast Ethernet source is bogus. */
	if (ip6->saddr[0] == 0xff || (eth->h_source[0] & 1))
		return XDP_PASS;

	from_unspecified = is_unspecified6(ip6->saddr);
	multicast_dst = ip6->daddr[0] == 0xff;
	if (multicast_dst) {
		/* Only the target's solicited-node group, on its Ethernet address. */
		if (!is_solicited_node_of(ip6->daddr, ns->target) || !is_mcast_mac_of(eth->h_dest, ip6->daddr))
			return XDP_PASS;
	} else {
		/* RFC 4861 7.1.1: from :: only to the solicited-node group. */
		if (from_unspecified || !same_ip6(ip6->daddr, ns->target))
			return XDP_PASS;
	}

	/* Options: every one of non-zero length, tiling the message exactly; SLLA only from a unicast source. */
	for (__u32 i = 0, off = NS_FIXED_LEN; i < NS_MAX_OPTS; i++) {
		struct nd_opt_lla *opt;

		if (off >= icmp_len)
			break;
		off &= 0xff; /* bounded for the verifier: off < icmp_len <= NS_MAX_LEN */
		opt = (void *)ns + off;
		if ((void *)opt + 2 > data_end)
			return XDP_PASS;
		if (opt->len == 0)
			return XDP_PASS;
		if (opt->type == ND_OPT_SLLA) {
			if (from_unspecified || opt->len != 1)
				return XDP_PASS;
			if ((void *)(opt + 1) > data_end)
				return XDP_PASS;
			if (opt->addr[0] & 1)
				return XDP_PASS;
			__builtin_memcpy(reply_mac, opt->addr, ETH_ALEN);
			have_slla = 1;
		}
		off += (__u32)opt->len * 8;
		if (off > icmp_len)
			return XDP_PASS;
		if (i == NS_MAX_OPTS - 1 && off < icmp_len)
			return XDP_PASS;
	}

	if (fold(icmp6_sum(ip6, ns, icmp_len, data_end)) != 0xffff)
		return XDP_PASS;

	__builtin_memcpy(key.ip6, ns->target, 16);
	key.ifindex = ifindex;
	stats = bpf_map_lookup_elem(&l2_responder_v6, &key);
	if (!stats)
		return XDP_PASS;
	mac = bpf_map_lookup_elem(&l2_if_mac, &ifindex);
	if (!mac)
		return XDP_PASS;
	if (!multicast_dst && !same_mac(eth->h_dest, mac->addr))
		return XDP_PASS;
	if (!agent_alive())
		return XDP_PASS;

	__builtin_memcpy(target, ns->target, 16);
	if (from_unspecified) {
		/* ff02::1, 33:33:00:00:00:01 */
		__builtin_memset(reply_ip, 0, 16);
		reply_ip[0] = 0xff;
		reply_ip[1] = 0x02;
		reply_ip[15] = 0x01;
		reply_mac[0] = 0x33;
		reply_mac[1] = 0x33;
		reply_mac[2] = 0;
		reply_mac[3] = 0;
		reply_mac[4] = 0;
		reply_mac[5] = 0x01;
	} else {
		__builtin_memcpy(reply_ip, ip6->saddr, 16);
		if (!have_slla)
			__builtin_memcpy(reply_mac, eth->h_source, ETH_ALEN);
	}

	/* The NA is 86 octets: shrink or grow the frame to exactly that. */
	if (bpf_xdp_adjust_tail(ctx, (int)NA_FRAME_LEN - (int)(data_end - data)))
		return XDP_PASS;
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	eth = data;
	ip6 = (void *)(eth + 1);
	{
		struct nd_msg_ *na = (void *)(ip6 + 1);
		struct nd_opt_lla *tlla = (void *)(na + 1);

		if ((void *)(tlla + 1) > data_end)
			return XDP_PASS; /* cannot happen: the frame is NA_FRAME_LEN now */
		__builtin_memcpy(eth->h_dest, reply_mac, ETH_ALEN);
		__builtin_memcpy(eth->h_source, mac->addr, ETH_ALEN);
		ip6->vtc_flow = bpf_htonl(0x60000000);
		ip6->payload_len = bpf_htons(NA_LEN);
		ip6->nexthdr = IPPROTO_ICMPV6_;
		ip6->hop_limit = 255;
		__builtin_memcpy(ip6->saddr, target, 16);
		__builtin_memcpy(ip6->daddr, reply_ip, 16);
		na->type = NDISC_NA;
		na->code = 0;
		na->cksum = 0;
		na->flags = from_unspecified ? NA_FLAG_OVERRIDE : (NA_FLAG_SOLICITED | NA_FLAG_OVERRIDE);
		__builtin_memcpy(na->target, target, 16);
		tlla->type = ND_OPT_TLLA;
		tlla->len = 1;
		__builtin_memcpy(tlla->addr, mac->addr, ETH_ALEN);
		na->cksum = (__u16)~fold(icmp6_sum(ip6, na, NA_LEN, data_end));
	}

	/* Counts XDP_TX attempts, not deliveries. */
	__sync_fetch_and_add(&stats->responses_sent, 1);
	return XDP_TX;
}

SEC("xdp")
int l2_responder(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;

	if ((void *)(eth + 1) > data_end)
		return XDP_PASS;
	if (eth->h_proto == bpf_htons(ETH_P_ARP))
		return handle_arp(ctx);
	if (eth->h_proto == bpf_htons(ETH_P_IPV6))
		return handle_ndp(ctx);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
