package dev.l2announcer;

import dev.l2announcer.observability.DebugCli;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;

import java.util.Arrays;

/** Entry point of the agent; {@code dbg ...} runs the debug CLI instead, without booting the agent. */
@QuarkusMain
public class Main {
    public static void main(String... args) {
        if (args.length > 0 && args[0].equals("dbg")) {
            System.exit(DebugCli.run(Arrays.asList(args).subList(1, args.length), System.out, System.err));
        }
        Quarkus.run(args);
    }
}
