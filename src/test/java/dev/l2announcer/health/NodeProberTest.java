package dev.l2announcer.health;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class NodeProberTest {
    @Test
    void readsPlainAndChunkedBodies() {
        assertThat(NodeProber.body("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nn1\n")).isEqualTo("n1");
        assertThat(NodeProber.body("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nnod\r\n4;x=y\r\ne-1\n\r\n0\r\n\r\n"))
                .isEqualTo("node-1");
        assertThat(NodeProber.body("HTTP/1.1 200 OK\r\ntransfer-encoding:chunked\r\n\r\nzz\r\n")).isEmpty();
        assertThat(NodeProber.body("HTTP/1.1 200 OK\r\n")).isEmpty();
    }
}
