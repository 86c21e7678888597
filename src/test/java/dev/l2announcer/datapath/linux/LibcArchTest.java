package dev.l2announcer.datapath.linux;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LibcArchTest {
    @Test
    void bpfSyscallNumberFollowsTheArchitecture() {
        assertThat(Libc.sysBpf("amd64")).isEqualTo(321);
        assertThat(Libc.sysBpf("x86_64")).isEqualTo(321);
        assertThat(Libc.sysBpf("aarch64")).isEqualTo(280);
    }

    @Test
    void unknownArchitectureFailsWithAClearMessage() {
        assertThatThrownBy(() -> Libc.sysBpf("riscv64"))
                .isInstanceOf(UnsupportedOperationException.class)
                .hasMessageContaining("os.arch=riscv64").hasMessageContaining("amd64 and aarch64");
    }
}
