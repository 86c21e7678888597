package dev.l2announcer.agent;

import jakarta.inject.Singleton;

/**
 * The datapath of every @QuarkusTest: {@link InMemoryNodeDatapath} as a plain bean, which replaces the
 * producer's {@code @DefaultBean} kernel datapath, so no test JVM loads BPF or opens packet sockets.
 */
@Singleton
public class TestNodeDatapath extends InMemoryNodeDatapath {
}
