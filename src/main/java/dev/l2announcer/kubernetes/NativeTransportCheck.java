package dev.l2announcer.kubernetes;

import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

/**
 * Says at start-up whether Vert.x (HTTP server and the Kubernetes client's HTTP client) really runs
 * on Netty's native epoll transport ({@code quarkus.vertx.prefer-native-transport=true}); Vert.x
 * silently falls back to NIO when the native library cannot load, so this line is the evidence.
 */
@Singleton
public class NativeTransportCheck {
    private static final Logger LOG = Logger.getLogger(NativeTransportCheck.class);

    void onStart(@Observes StartupEvent event, Vertx vertx) {
        if (vertx.isNativeTransportEnabled()) {
            LOG.info("Vert.x transport: native epoll");
        } else {
            LOG.warnf("Vert.x transport: NIO fallback, native epoll unavailable: %s",
                    String.valueOf(vertx.unavailableNativeTransportCause()));
        }
    }
}
