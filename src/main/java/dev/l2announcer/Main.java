package dev.l2announcer;

import dev.l2announcer.demo.Demo;
import dev.l2announcer.demo.api.EmbeddedApiServer;
import dev.l2announcer.observability.DebugCli;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;

import java.util.Arrays;

/**
 * Entry point of the agent. Subcommands that do not boot the agent: {@code dbg ...} (the debug CLI),
 * {@code demo ...} (the demo, {@code ./l2a demo}) and {@code demo-api ...} (the demo's embedded
 * Kubernetes API, started by the demo inside its API network namespace).
 */
@QuarkusMain
public class Main {
    public static void main(String... args) throws Exception {
        String[] rest = args.length > 0 ? Arrays.copyOfRange(args, 1, args.length) : args;
        switch (args.length > 0 ? args[0] : "") {
            case "dbg" -> System.exit(DebugCli.run(Arrays.asList(rest), System.out, System.err));
            case "demo" -> {
                Demo.main(rest);
                System.exit(0);
            }
            case "demo-api" -> EmbeddedApiServer.main(rest);
            default -> Quarkus.run(args);
        }
    }
}
