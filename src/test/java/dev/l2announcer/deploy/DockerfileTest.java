package dev.l2announcer.deploy;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * No Docker engine here: the Dockerfile is checked by construction. Every file it copies from the
 * build context must exist and must not be excluded by .dockerignore; the stages, packages and
 * entrypoint are the agreed ones.
 */
class DockerfileTest {

    static final Path ROOT = DeployManifestsTest.ROOT;
    static final Pattern CONTEXT_COPY = Pattern.compile("(?m)^COPY (?!--from)(.+)$");

    static String dockerfile() throws IOException {
        return Files.readString(ROOT.resolve("Dockerfile"));
    }

    /** Sources of COPY instructions that read the build context (not another stage). */
    static List<String> contextSources() throws IOException {
        List<String> sources = new ArrayList<>();
        Matcher m = CONTEXT_COPY.matcher(dockerfile());
        while (m.find()) {
            String[] words = m.group(1).trim().split("\\s+");
            for (int i = 0; i < words.length - 1; i++) {
                sources.add(words[i].replaceAll("/$", ""));
            }
        }
        return sources;
    }

    @Test
    void copiesOnlyFilesThatExistExceptTheEbpfSources() throws IOException {
        List<String> sources = contextSources();
        assertThat(sources).contains("mvnw", "pom.xml", ".mvn", "src", "ebpf");
        for (String source : sources) {
            if (source.equals("ebpf")) {
                continue; // checked in ebpfBuildInterfaceMatches (written by the datapath work)
            }
            assertThat(ROOT.resolve(source)).as("COPY source " + source).exists();
        }
    }

    @Test
    void dockerignoreExcludesNothingTheBuildCopies() throws IOException {
        List<String> ignored = Files.readAllLines(ROOT.resolve(".dockerignore")).stream()
                .map(String::trim).filter(l -> !l.isEmpty() && !l.startsWith("#"))
                .map(l -> l.replaceAll("/$", "")).toList();
        assertThat(ignored).doesNotContainAnyElementsOf(contextSources());
        assertThat(ignored).as("the object is always rebuilt in stage 1, never taken from the host")
                .contains("ebpf/build", "target");
    }

    @Test
    void stagesBuildBpfThenAppThenRunOnTheTemurin25Jre() throws IOException {
        String d = dockerfile();
        List<String> froms = Pattern.compile("(?m)^FROM (\\S+)").matcher(d).results().map(r -> r.group(1)).toList();
        assertThat(froms).containsExactly("debian:bookworm-slim", "eclipse-temurin:25-jdk", "eclipse-temurin:25-jre");
        assertThat(d).contains("clang llvm libbpf-dev")
                .contains("sh ebpf/build.sh")
                .contains("COPY --from=bpf /src/ebpf/build/l2_responder.bpf.o ebpf/build/l2_responder.bpf.o")
                .contains("./mvnw -B package -DskipTests")
                .contains("install -y --no-install-recommends libbpf1 iproute2 ndisc6")
                .contains("COPY --from=app /src/target/quarkus-app/ /app/");
        assertThat(d.lines().filter(l -> l.startsWith("USER ")).toList()).as("explicit, explained user").containsExactly("USER 0:0");
    }

    /** JVM options are defined once, in src/main/jvm/jvm.options; the image runs the launcher that passes them. */
    @Test
    void entrypointIsTheLauncherWithNoJvmOptionsOfItsOwn() throws IOException {
        String d = dockerfile();
        assertThat(d.lines().filter(l -> l.startsWith("ENTRYPOINT")).toList()).containsExactly("ENTRYPOINT [\"/app/l2-announcer\"]");
        assertThat(d).as("no JVM option outside jvm.options").doesNotContain("-XX:").doesNotContain("-Xmx")
                .doesNotContain("JAVA_TOOL_OPTIONS").doesNotContain("JDK_JAVA_OPTIONS");
        assertThat(d).contains("test -x target/quarkus-app/l2-announcer").contains("test -f target/quarkus-app/jvm.options");
    }

    /**
     * The AOT cache is valid only for the JVM and jar paths it was trained with: stage 2 (JDK) must not
     * train, the runtime stage trains against /app with its own JRE and ships /app/app.aot; the training
     * class is in the packaged jar and the CRD comes from a bind mount, so nothing is added to the image.
     */
    @Test
    void aotCacheIsTrainedInTheRuntimeStageWithItsJre() throws IOException {
        String d = dockerfile();
        String runtime = d.substring(d.lastIndexOf("\nFROM "));
        assertThat(d).contains("./mvnw -B package -DskipTests -Dl2a.aot.skip=true");
        assertThat(runtime).contains("--mount=type=bind,source=crds,target=/tmp/crds")
                .contains("-cp /app/quarkus-run.jar")
                .contains("dev.l2announcer.demo.AotTraining /app /tmp/crds/ciliuml2announcementpolicies.cilium.io.yaml")
                .contains("test -s /app/app.aot");
        assertThat(runtime.indexOf("AotTraining")).as("trained after the app is in place")
                .isGreaterThan(runtime.indexOf("COPY --from=app /src/target/quarkus-app/ /app/"));
        assertThat(ROOT.resolve("src/main/java/dev/l2announcer/demo/AotTraining.java")).as("in the packaged jar").exists();
        assertThat(ROOT.resolve("crds/ciliuml2announcementpolicies.cilium.io.yaml")).exists();
        assertThat(Files.readString(ROOT.resolve("pom.xml"))).contains("<l2a.aot.skip>false</l2a.aot.skip>")
                .contains("<skip>${l2a.aot.skip}</skip>");
    }

    @Test
    void ciInstallsTheClientsTheRootTestsRun() throws IOException {
        String ci = Files.readString(ROOT.resolve(".ci/run"));
        String packages = ci.lines().filter(l -> l.startsWith("APT_PACKAGES=(")).findFirst().orElseThrow();
        // arping (ARP) and ndisc6 (NDP) are the real clients of the kernel tests; they fail, not skip, without them.
        assertThat(packages.substring(packages.indexOf('(') + 1, packages.indexOf(')')).split(" "))
                .contains("arping", "ndisc6", "bpftool", "iproute2");
    }

    @Test
    void ebpfBuildInterfaceMatches() throws IOException {
        Path build = ROOT.resolve("ebpf/build.sh");
        assumeTrue(Files.exists(build), "ebpf/build.sh is not on this branch yet (datapath work); the Dockerfile "
                + "assumes it writes ebpf/build/l2_responder.bpf.o");
        assertThat(Files.readString(build)).contains("build/l2_responder.bpf.o");
        assertThat(Files.readString(ROOT.resolve("pom.xml"))).as("Maven packages the object as /bpf/...")
                .contains("<directory>ebpf/build</directory>");
    }
}
