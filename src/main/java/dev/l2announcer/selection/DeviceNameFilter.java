package dev.l2announcer.selection;

import java.util.List;

/**
 * The agent's {@code devices} option: concrete names ({@code eth0}) or iptables-like prefix wildcards
 * ({@code eth+}); empty lets every device through. Same rule as Cilium's deviceFilter.match
 * (cilium pkg/datapath/linux/devices_controller.go): an entry ending in '+' matches names starting
 * with the entry without its trailing '+' characters, any other entry matches only the exact name.
 */
public record DeviceNameFilter(List<String> entries) {
    public static final DeviceNameFilter ALL = new DeviceNameFilter(List.of());

    public DeviceNameFilter {
        entries = List.copyOf(entries);
    }

    public boolean matches(String device) {
        if (entries.isEmpty()) {
            return true;
        }
        for (String entry : entries) {
            if (entry.endsWith("+")) {
                int end = entry.length();
                while (end > 0 && entry.charAt(end - 1) == '+') {
                    end--;
                }
                if (device.startsWith(entry.substring(0, end))) {
                    return true;
                }
            } else if (device.equals(entry)) {
                return true;
            }
        }
        return false;
    }
}
