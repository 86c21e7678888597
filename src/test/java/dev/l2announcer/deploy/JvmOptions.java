package dev.l2announcer.deploy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** src/main/jvm/jvm.options, the agent's JVM options (a java @argfile: words, '#' starts a comment). */
record JvmOptions(List<String> words) {
    static final Path FILE = DeployManifestsTest.ROOT.resolve("src/main/jvm/jvm.options");

    static JvmOptions read() throws IOException {
        return new JvmOptions(Files.readAllLines(FILE).stream()
                .map(l -> l.contains("#") ? l.substring(0, l.indexOf('#')) : l)
                .flatMap(l -> Arrays.stream(l.trim().split("\\s+")))
                .filter(w -> !w.isEmpty()).toList());
    }

    /** The value of a {@code -Xmx64m}-style option in MiB. */
    Optional<Long> mebibytes(String prefix) {
        return words.stream().filter(w -> w.startsWith(prefix)).reduce((a, b) -> b)
                .map(w -> w.substring(prefix.length())).map(JvmOptions::toMebibytes);
    }

    static long toMebibytes(String size) {
        String s = size.toLowerCase();
        long n = Long.parseLong(s.replaceAll("[kmg]$", ""));
        return switch (s.charAt(s.length() - 1)) {
            case 'g' -> n * 1024;
            case 'm' -> n;
            case 'k' -> n / 1024;
            default -> n / (1024 * 1024);
        };
    }
}
