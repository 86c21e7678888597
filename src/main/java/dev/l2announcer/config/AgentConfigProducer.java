package dev.l2announcer.config;

import io.quarkus.runtime.Startup;
import io.quarkus.runtime.annotations.CommandLineArguments;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

import java.net.InetAddress;
import java.util.List;

/**
 * Loads {@link AgentConfig} once, at start-up (eagerly, so an invalid value stops the agent before
 * it touches the cluster or the datapath, with one log line naming the key, value and rule).
 */
@Singleton
public class AgentConfigProducer {
    private static final Logger LOG = Logger.getLogger(AgentConfigProducer.class);

    @Produces
    @Singleton
    @Startup
    AgentConfig agentConfig(@CommandLineArguments String[] args) {
        try {
            AgentConfig config = AgentConfigLoader.load(List.of(args), System.getenv(), hostname());
            LOG.infof("configuration: node %s, lease namespace %s, lease %s/%s/%s, k8s client %s qps burst %d, devices %s",
                    config.nodeName(), config.leaseNamespace(), GoDuration.format(config.leaseDuration()),
                    GoDuration.format(config.renewDeadline()), GoDuration.format(config.retryPeriod()),
                    config.k8sClientQps(), config.k8sClientBurst(),
                    config.devices().isEmpty() ? "(all)" : String.join(",", config.devices()));
            return config;
        } catch (ConfigException e) {
            LOG.error("invalid configuration, not starting: " + e.getMessage());
            throw e;
        }
    }

    private static String hostname() {
        String h = System.getenv("HOSTNAME");
        if (h != null && !h.isBlank()) {
            return h.trim();
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            return "";
        }
    }
}
