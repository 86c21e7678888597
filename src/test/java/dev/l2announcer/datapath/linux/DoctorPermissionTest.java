package dev.l2announcer.datapath.linux;

import dev.l2announcer.datapath.Finding;
import dev.l2announcer.datapath.fake.FakeDevices;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Without CAP_SYS_ADMIN the id walk fails with EPERM: the doctor must say so, not throw. */
class DoctorPermissionTest {

    /** A Bpf whose id-walk calls fail with {@code errno}, as the kernel does without CAP_SYS_ADMIN. */
    private static Bpf failingIdWalk(int errno) {
        return (Bpf) Proxy.newProxyInstance(Bpf.class.getClassLoader(), new Class<?>[] {Bpf.class}, (proxy, m, args) -> {
            switch (m.getName()) {
                case "nextMapId", "nextProgId", "mapFdById", "progFdById" -> throw Errno.failure("bpf(" + m.getName() + ")", errno);
                case "close" -> {
                    return null;
                }
                default -> throw new UnsupportedOperationException(m.getName());
            }
        });
    }

    @Test
    void epermBecomesANoPermissionFindingNamingTheCapability(@TempDir Path pinDir) {
        Doctor doctor = new Doctor(failingIdWalk(Errno.EPERM), pinDir, new FakeDevices(List.of()));

        List<Finding> findings = doctor.examine(Set.of("eth0"));

        assertThat(findings).extracting(Finding::code).contains("MAP_NOT_PINNED", "DOCTOR_NO_PERMISSION");
        Finding f = findings.stream().filter(x -> x.code().equals("DOCTOR_NO_PERMISSION")).findFirst().orElseThrow();
        assertThat(f.severity()).isEqualTo(Finding.Severity.ERROR);
        assertThat(f.message()).contains("CAP_SYS_ADMIN").contains("EPERM");
        assertThat(Doctor.render(findings)).contains("DOCTOR_NO_PERMISSION");
    }

    @Test
    void otherErrorsStillPropagate(@TempDir Path pinDir) {
        Doctor doctor = new Doctor(failingIdWalk(Errno.EINVAL), pinDir, new FakeDevices(List.of()));

        assertThatThrownBy(() -> doctor.examine(Set.of("eth0"))).hasMessageContaining("EINVAL");
    }
}
