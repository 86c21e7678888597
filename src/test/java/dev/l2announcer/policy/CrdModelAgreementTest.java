package dev.l2announcer.policy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.crdv2.generator.CRDGenerator;
import io.fabric8.kubernetes.client.utils.Serialization;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The committed CRD is the contract (it must be a drop-in for Cilium's). This test generates the CRD
 * from the Java model with fabric8's CRD generator (the same one the Quarkus build uses) and requires
 * the two to agree node by node: same properties, types, item and map-value schemas, names, scope,
 * version, subresources and printer columns. The committed file may only ADD validation markers the
 * Java model cannot express (patterns, enums, lengths, list-map markers, required, formats) and
 * descriptions. Generating in the test (rather than reading target/kubernetes from a Quarkus build)
 * keeps it independent of build phases: it runs in a plain `mvn test`.
 */
class CrdModelAgreementTest {
    static final Path COMMITTED = Path.of("crds/ciliuml2announcementpolicies.cilium.io.yaml");
    static final Set<String> EXTRA_MARKERS = Set.of("description", "pattern", "maxLength", "minLength", "enum",
            "required", "format", "minimum", "x-kubernetes-list-type", "x-kubernetes-list-map-keys");
    static final Set<String> ENVELOPE = Set.of("apiVersion", "kind", "metadata");
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    static JsonNode committed;
    static JsonNode generated;

    @BeforeAll
    static void load(@TempDir Path dir) throws Exception {
        committed = YAML.readTree(COMMITTED.toFile());
        new CRDGenerator().customResourceClasses(CiliumL2AnnouncementPolicy.class)
                .inOutputDir(dir.toFile()).forCRDVersions("v1").generate();
        File out = dir.resolve("ciliuml2announcementpolicies.cilium.io-v1.yml").toFile();
        generated = YAML.readTree(out);
    }

    @Test
    void namesScopeVersionAndSubresourcesAgree() {
        JsonNode c = committed.path("spec");
        JsonNode g = generated.path("spec");
        assertThat(committed.path("metadata").path("name")).isEqualTo(generated.path("metadata").path("name"));
        assertThat(c.path("group")).isEqualTo(g.path("group"));
        assertThat(c.path("scope")).isEqualTo(g.path("scope"));
        // listKind is what the API server defaults anyway (kind + "List"); the generator omits it.
        com.fasterxml.jackson.databind.node.ObjectNode names = c.path("names").deepCopy();
        assertThat(names.remove("listKind").asText()).isEqualTo(names.path("kind").asText() + "List");
        assertThat(names).isEqualTo(g.path("names"));
        JsonNode cv = c.path("versions").get(0);
        JsonNode gv = g.path("versions").get(0);
        assertThat(c.path("versions")).hasSize(1);
        // priority 0 is the API default; the generator spells it out, Cilium's CRD does not.
        gv = gv.deepCopy();
        for (JsonNode col : gv.path("additionalPrinterColumns")) {
            if (col.path("priority").asInt(-1) == 0) {
                ((com.fasterxml.jackson.databind.node.ObjectNode) col).remove("priority");
            }
        }
        for (String f : List.of("name", "served", "storage", "subresources", "additionalPrinterColumns")) {
            assertThat(cv.path(f)).as(f).isEqualTo(gv.path(f));
        }
    }

    @Test
    void schemaAgreesExceptForExtraValidationMarkers() {
        List<String> diffs = new ArrayList<>();
        compare(committed.at("/spec/versions/0/schema/openAPIV3Schema"),
                generated.at("/spec/versions/0/schema/openAPIV3Schema"), "", diffs);
        assertThat(diffs).isEmpty();
    }

    @Test
    void committedCrdCarriesCiliumsValidation() {
        JsonNode schema = committed.at("/spec/versions/0/schema/openAPIV3Schema/properties");
        for (String sel : List.of("serviceSelector", "nodeSelector")) {
            JsonNode s = schema.at("/spec/properties/" + sel + "/properties");
            assertThat(s.at("/matchLabels/additionalProperties/maxLength").asInt()).isEqualTo(63);
            assertThat(s.at("/matchLabels/additionalProperties/pattern").asText())
                    .isEqualTo("^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$");
            assertThat(s.at("/matchExpressions/items/properties/operator/enum").toString())
                    .isEqualTo("[\"In\",\"NotIn\",\"Exists\",\"DoesNotExist\"]");
            assertThat(s.at("/matchExpressions/items/required").toString()).isEqualTo("[\"key\",\"operator\"]");
        }
        JsonNode conditions = schema.at("/status/properties/conditions");
        assertThat(conditions.path("x-kubernetes-list-type").asText()).isEqualTo("map");
        assertThat(conditions.path("x-kubernetes-list-map-keys").toString()).isEqualTo("[\"type\"]");
        assertThat(conditions.at("/items/required").toString())
                .isEqualTo("[\"lastTransitionTime\",\"message\",\"reason\",\"status\",\"type\"]");
    }

    /** A policy with every field, including status, survives a trip through the Java model unchanged. */
    @Test
    void everyFieldRoundTripsThroughTheModel() throws Exception {
        String yaml = """
                apiVersion: cilium.io/v2alpha1
                kind: CiliumL2AnnouncementPolicy
                metadata:
                  name: policy1
                  generation: 2
                spec:
                  serviceSelector:
                    matchLabels:
                      color: blue
                    matchExpressions:
                    - key: tier
                      operator: In
                      values: [web, api]
                  nodeSelector:
                    matchExpressions:
                    - key: node-role.kubernetes.io/control-plane
                      operator: DoesNotExist
                  interfaces:
                  - ^eth[0-9]+
                  externalIPs: true
                  loadBalancerIPs: false
                status:
                  conditions:
                  - type: io.cilium/bad-service-selector
                    status: "True"
                    reason: error
                    message: "values: Invalid value: []string(nil): for 'in', 'notin' operators, values set can't be empty"
                    observedGeneration: 2
                    lastTransitionTime: "2026-01-01T00:00:00Z"
                """;
        JsonNode original = YAML.readTree(yaml);
        CiliumL2AnnouncementPolicy p = Serialization.unmarshal(yaml, CiliumL2AnnouncementPolicy.class);
        JsonNode back = YAML.readTree(Serialization.asYaml(p));
        assertThat(back).isEqualTo(original);
        // and every field of the round-tripped document is declared by the committed schema
        List<String> undeclared = new ArrayList<>();
        declared(original, committed.at("/spec/versions/0/schema/openAPIV3Schema"), "", undeclared);
        assertThat(undeclared).isEmpty();
    }

    private static void declared(JsonNode doc, JsonNode schema, String path, List<String> out) {
        if (doc.isObject()) {
            for (Iterator<String> it = doc.fieldNames(); it.hasNext(); ) {
                String f = it.next();
                JsonNode sub = schema.path("properties").path(f);
                if (sub.isMissingNode()) {
                    sub = schema.path("additionalProperties");
                }
                if (sub.isMissingNode()) {
                    if (!(path.equals("") && f.equals("metadata")) && !schema.path("type").asText().equals("object")
                            || schema.has("properties")) {
                        out.add(path + "/" + f);
                    }
                    continue;
                }
                declared(doc.get(f), sub, path + "/" + f, out);
            }
        } else if (doc.isArray()) {
            for (JsonNode e : doc) {
                declared(e, schema.path("items"), path + "[]", out);
            }
        }
    }

    private static void compare(JsonNode c, JsonNode g, String path, List<String> diffs) {
        Set<String> keys = new java.util.TreeSet<>();
        c.fieldNames().forEachRemaining(keys::add);
        g.fieldNames().forEachRemaining(keys::add);
        for (String k : keys) {
            JsonNode cv = c.get(k);
            JsonNode gv = g.get(k);
            String p = path + "/" + k;
            if (k.equals("description")) {
                continue;
            }
            if (gv == null) {
                if (!EXTRA_MARKERS.contains(k)) {
                    diffs.add(p + ": only in committed CRD");
                }
                continue;
            }
            if (cv == null) {
                diffs.add(p + ": only in the model's CRD: " + gv);
                continue;
            }
            switch (k) {
                case "properties" -> {
                    Set<String> names = new java.util.TreeSet<>();
                    cv.fieldNames().forEachRemaining(names::add);
                    gv.fieldNames().forEachRemaining(names::add);
                    for (String n : names) {
                        if (path.isEmpty() && ENVELOPE.contains(n) && !gv.has(n)) {
                            continue; // apiVersion/kind/metadata: the standard envelope, not the model's
                        }
                        if (!cv.has(n) || !gv.has(n)) {
                            diffs.add(p + "/" + n + ": property only in " + (cv.has(n) ? "committed CRD" : "model"));
                        } else {
                            compare(cv.get(n), gv.get(n), p + "/" + n, diffs);
                        }
                    }
                }
                case "items", "additionalProperties" -> compare(cv, gv, p, diffs);
                default -> {
                    if (!cv.equals(gv)) {
                        diffs.add(p + ": committed " + cv + " vs model " + gv);
                    }
                }
            }
        }
    }
}
