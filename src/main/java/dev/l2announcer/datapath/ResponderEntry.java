package dev.l2announcer.datapath;

import java.net.Inet4Address;

/** One key of the l2_responder_v4 map: answer ARP for {@code ip} arriving on {@code ifindex}. */
public record ResponderEntry(Inet4Address ip, int ifindex) {}
