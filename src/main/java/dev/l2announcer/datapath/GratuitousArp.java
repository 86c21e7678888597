package dev.l2announcer.datapath;

import java.net.Inet4Address;

/** Sends gratuitous ARP (request and reply forms) for an IP on a device. */
public interface GratuitousArp {
    void announce(Device device, Inet4Address ip);
}
