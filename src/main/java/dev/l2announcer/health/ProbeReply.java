package dev.l2announcer.health;

import dev.l2announcer.datapath.MacAddress;

import java.time.Duration;

/**
 * One answer to a probe for an IP: who answered (the ARP sender hardware address, or the Neighbor Advertisement's
 * target link-layer address) and after how long.
 */
public record ProbeReply(MacAddress sender, Duration rtt) {}
