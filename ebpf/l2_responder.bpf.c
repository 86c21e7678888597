// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * l2-announcer ARP responder.
 *
 * Answers ARP requests in the kernel for {target IP, ingress ifindex} present in the pinned
 * l2_responder_v4 map (same layout as Cilium's, see cilium/cilium bpf/lib/l2_responder.h) and passes
 * everything else untouched.
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
 * never written (0), the program stops answering: a dead agent must not keep claiming the IPs,
 * and it goes silent before another node can take the lease over.
 *
 * Map names: Cilium's own map is named cilium_l2_responder_v4 in recent releases; ours is
 * l2_responder_v4 (15 chars, the kernel's name limit) with the same key/value layout.
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

SEC("xdp")
int l2_responder(struct xdp_md *ctx)
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
	if (eth->h_proto != bpf_htons(ETH_P_ARP))
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

char LICENSE[] SEC("license") = "Dual BSD/GPL";
