package dev.l2announcer.observability;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class DebugResourceTest {
    @Test
    void onlyLoopbackLiteralsCount() {
        assertThat(DebugResource.isLoopback("127.0.0.1")).isTrue();
        assertThat(DebugResource.isLoopback("127.1.2.3")).isTrue();
        assertThat(DebugResource.isLoopback("::1")).isTrue();
        assertThat(DebugResource.isLoopback("0:0:0:0:0:0:0:1")).isTrue();
        assertThat(DebugResource.isLoopback("192.0.2.1")).isFalse();
        assertThat(DebugResource.isLoopback("2001:db8::1")).isFalse();
        assertThat(DebugResource.isLoopback("localhost")).isFalse();
        assertThat(DebugResource.isLoopback("")).isFalse();
        assertThat(DebugResource.isLoopback(null)).isFalse();
    }
}
