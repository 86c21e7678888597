package dev.l2announcer.datapath.linux;

import dev.l2announcer.datapath.NdpFrame;

/**
 * AF_PACKET socket bound to one interface for ETH_P_IPV6 that receives only neighbour solicitations and
 * advertisements (ICMPv6 types 135/136 carried directly by IPv6): a classic BPF filter, installed before the
 * socket is bound, keeps the rest of the node's IPv6 traffic out of its queue. Receive timestamps as
 * {@link PacketSocket}; opened in the calling thread's network namespace.
 */
public final class NdpSocket extends PacketSocket {
    private static final int LD_H_ABS = 0x28, LD_B_ABS = 0x30, JEQ_K = 0x15, RET_K = 0x06;
    /** ethertype == IPv6 && next header == ICMPv6 && type in {135, 136}. */
    static final long[] ND_FILTER = {
            PacketSockets.insn(LD_H_ABS, 0, 0, 12),
            PacketSockets.insn(JEQ_K, 0, 6, NdpFrame.ETH_P_IPV6),
            PacketSockets.insn(LD_B_ABS, 0, 0, 14 + 6),
            PacketSockets.insn(JEQ_K, 0, 4, NdpFrame.IPPROTO_ICMPV6),
            PacketSockets.insn(LD_B_ABS, 0, 0, 14 + 40),
            PacketSockets.insn(JEQ_K, 1, 0, NdpFrame.TYPE_SOLICITATION),
            PacketSockets.insn(JEQ_K, 0, 1, NdpFrame.TYPE_ADVERTISEMENT),
            PacketSockets.insn(RET_K, 0, 0, 0x40000),
            PacketSockets.insn(RET_K, 0, 0, 0),
    };

    public NdpSocket(int ifindex) {
        super(NdpFrame.ETH_P_IPV6, ifindex, ND_FILTER);
    }

    public void send(NdpFrame frame) {
        send(frame.encode());
    }
}
