package dev.l2announcer.observability;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Renders rows with ordered columns as an aligned text table, kubectl style. */
public final class TextTable {
    private TextTable() {
    }

    public static String render(List<? extends Map<String, ?>> rows) {
        if (rows.isEmpty()) {
            return "(none)\n";
        }
        Set<String> cols = new LinkedHashSet<>();
        rows.forEach(r -> cols.addAll(r.keySet()));
        List<String> names = new ArrayList<>(cols);
        int[] w = new int[names.size()];
        for (int i = 0; i < names.size(); i++) {
            w[i] = names.get(i).length();
            for (Map<String, ?> r : rows) {
                w[i] = Math.max(w[i], cell(r.get(names.get(i))).length());
            }
        }
        StringBuilder b = new StringBuilder();
        line(b, w, names.stream().map(String::toUpperCase).toList());
        for (Map<String, ?> r : rows) {
            line(b, w, names.stream().map(n -> cell(r.get(n))).toList());
        }
        return b.toString();
    }

    private static String cell(Object v) {
        return v == null ? "" : String.valueOf(v);
    }

    private static void line(StringBuilder b, int[] w, List<String> cells) {
        StringBuilder l = new StringBuilder();
        for (int i = 0; i < cells.size(); i++) {
            l.append(cells.get(i));
            if (i < cells.size() - 1) {
                l.append(" ".repeat(w[i] - cells.get(i).length() + 3));
            }
        }
        b.append(l.toString().stripTrailing()).append('\n');
    }
}
