package dev.l2announcer.health;

import java.time.Duration;
import java.time.Instant;

/**
 * @param rtt   connect + request + complete response, when ok; else null
 * @param error why not ok ("connection refused", "timeout after 1s", "answered as node-b", ...)
 */
public record NodeProbeResult(NodeTarget target, boolean ok, Duration rtt, String error, Instant at) {}
