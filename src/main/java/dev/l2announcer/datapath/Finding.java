package dev.l2announcer.datapath;

import java.util.List;

/**
 * One result of a stale-state check, with the commands a human runs to confirm it.
 *
 * @param code stable identifier (DUPLICATE_MAP, STALE_PROGRAM, FOREIGN_PROGRAM, ...) for logs and metrics
 */
public record Finding(Severity severity, String code, String message, List<String> confirmCommands) {
    public enum Severity { INFO, WARNING, ERROR }

    public Finding {
        confirmCommands = List.copyOf(confirmCommands);
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder().append(severity).append(' ').append(code).append(": ").append(message);
        for (String c : confirmCommands) {
            b.append("\n    confirm: ").append(c);
        }
        return b.toString();
    }
}
