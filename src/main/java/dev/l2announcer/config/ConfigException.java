package dev.l2announcer.config;

/** An invalid configuration value; the message names the key, the value, where it came from and the rule. */
public final class ConfigException extends RuntimeException {
    public ConfigException(String message) {
        super(message);
    }
}
