package dev.l2announcer.testing;

import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;

import java.util.HashMap;
import java.util.List;

/** fabric8's CRUD mock API server for plain JUnit tests (no @QuarkusTest needed). */
public final class MockApi {
    private MockApi() {
    }

    /** A started CRUD server (HTTPS); make clients with {@code createClient()}, {@code destroy()} it after the test. */
    public static KubernetesMockServer start() {
        KubernetesMockServer server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                new KubernetesCrudDispatcher(List.of()), true);
        server.init();
        return server;
    }
}
