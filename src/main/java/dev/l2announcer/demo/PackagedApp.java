package dev.l2announcer.demo;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The packaged app directory ({@code target/quarkus-app}, {@code /app} in the image) and its launcher
 * {@code l2-announcer}, which passes {@code jvm.options} (the one place the JVM options are defined) and
 * the AOT cache when there is one. Every JVM the demo and the e2e start (agents, {@code dbg}, the
 * embedded API) goes through it, with this JVM's {@code JAVA_HOME}, as the image's ENTRYPOINT does.
 */
public record PackagedApp(Path dir) {
    /** Extra JVM options the launcher appends after jvm.options (a later option wins). */
    public static final String EXTRA_JVM_OPTIONS = "L2A_JAVA_OPTS";

    public PackagedApp {
        dir = dir.toAbsolutePath();
    }

    /** The app that contains {@code quarkus-run.jar}. */
    public static PackagedApp of(Path jar) {
        return new PackagedApp(jar.toAbsolutePath().getParent());
    }

    public Path launcher() {
        return dir.resolve("l2-announcer");
    }

    public Path jar() {
        return dir.resolve("quarkus-run.jar");
    }

    public boolean isPackaged() {
        return Files.isRegularFile(jar()) && Files.isExecutable(launcher());
    }

    /**
     * {@code env JAVA_HOME=<this JVM> K=V... <launcher> args...}: explicit, so the command means the same
     * inside {@code nsenter}/{@code unshare}/{@code sh -c} as here.
     */
    public List<String> command(Map<String, String> env, List<String> args) {
        List<String> cmd = new ArrayList<>(List.of("env", "JAVA_HOME=" + System.getProperty("java.home")));
        env.forEach((k, v) -> cmd.add(k + "=" + v));
        cmd.add(launcher().toString());
        cmd.addAll(args);
        return cmd;
    }
}
