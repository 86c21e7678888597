package dev.l2announcer.health;

import dev.l2announcer.selection.ServiceRef;

/** Writes a Warning Event on a Service (Kubernetes in production, a list in tests). */
@FunctionalInterface
public interface ServiceEventSink {
    void warning(ServiceRef service, String reason, String message);
}
