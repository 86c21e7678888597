package dev.l2announcer.health;

import dev.l2announcer.datapath.MacAddress;

import java.time.Duration;

/** One ARP reply for a probed IP: who answered (ARP sender hardware address) and after how long. */
public record ArpReply(MacAddress sender, Duration rtt) {}
