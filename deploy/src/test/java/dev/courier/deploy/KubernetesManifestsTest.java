package dev.courier.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.typesafe.config.Config;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * deploy/k8s holds what its comments say: every file the kustomization lists parses, the pods
 * carry the label cluster bootstrap's discovery selects and the Services select, the ports and
 * probes name the node's real ports and management paths, the service account may list pods, and
 * every environment variable set is one the README documents.
 */
class KubernetesManifestsTest {
  private static final Path K8S = Path.of("k8s");
  private static final ObjectMapper YAML = new YAMLMapper();

  private final Map<String, JsonNode> byKindAndName = new HashMap<>();
  private final Config node = dev.courier.node.NodeConfig.load();

  KubernetesManifestsTest() throws IOException {
    JsonNode kustomization = YAML.readTree(K8S.resolve("kustomization.yaml").toFile());
    for (JsonNode file : kustomization.path("resources")) {
      var parser = new YAMLFactory().createParser(K8S.resolve(file.asText()).toFile());
      for (JsonNode doc : YAML.readValues(parser, JsonNode.class).readAll()) {
        byKindAndName.put(
            doc.path("kind").asText() + "/" + doc.path("metadata").path("name").asText(), doc);
      }
    }
  }

  private JsonNode get(String kindAndName) {
    JsonNode doc = byKindAndName.get(kindAndName);
    assertTrue(doc != null, kindAndName + " is not in the kustomization's files");
    return doc;
  }

  private JsonNode pod() {
    return get("StatefulSet/courier").path("spec").path("template");
  }

  private JsonNode container() {
    return pod().path("spec").path("containers").get(0);
  }

  private Map<String, String> env() {
    Map<String, String> env = new HashMap<>();
    container().path("env").forEach(e -> env.put(e.path("name").asText(), e.path("value").asText()));
    return env;
  }

  private int containerPort(String name) {
    for (JsonNode p : container().path("ports")) {
      if (p.path("name").asText().equals(name)) {
        return p.path("containerPort").asInt();
      }
    }
    throw new AssertionError("no container port named " + name);
  }

  @Test
  void thePodsCarryTheLabelDiscoveryAndTheServicesSelect() {
    String serviceName = env().get("COURIER_SERVICE_NAME");
    String selector = String.format(
        node.getString("pekko.discovery.kubernetes-api.pod-label-selector"), serviceName);
    String[] label = selector.split("=");
    JsonNode labels = pod().path("metadata").path("labels");
    assertEquals(label[1], labels.path(label[0]).asText(), "discovery selects " + selector);
    JsonNode matchLabels = get("StatefulSet/courier").path("spec").path("selector")
        .path("matchLabels");
    matchLabels.fields().forEachRemaining(
        e -> assertEquals(e.getValue().asText(), labels.path(e.getKey()).asText()));
    for (String service : List.of("Service/courier", "Service/courier-internal")) {
      get(service).path("spec").path("selector").fields().forEachRemaining(
          e -> assertEquals(e.getValue().asText(), labels.path(e.getKey()).asText(),
              service + " selects " + e.getKey()));
    }
    assertEquals("courier-internal", get("StatefulSet/courier").path("spec")
        .path("serviceName").asText());
    assertEquals("None", get("Service/courier-internal").path("spec").path("clusterIP").asText());
  }

  @Test
  void portsAndProbesAreTheNodesOwn() {
    Map<String, String> env = env();
    assertEquals(Integer.parseInt(env.get("COURIER_HTTP_PORT")), containerPort("http"));
    assertEquals(Integer.parseInt(env.get("COURIER_REMOTE_PORT")), containerPort("remoting"));
    assertEquals(Integer.parseInt(env.get("COURIER_MANAGEMENT_PORT")), containerPort("management"));
    assertEquals(node.getInt("pekko.management.http.port"), containerPort("management"),
        "bootstrap probes every pod on the same management port: keep the default");
    JsonNode liveness = container().path("livenessProbe").path("httpGet");
    JsonNode readiness = container().path("readinessProbe").path("httpGet");
    assertEquals("management", liveness.path("port").asText());
    assertEquals("management", readiness.path("port").asText());
    assertEquals("/" + node.getString("pekko.management.health-checks.liveness-path"),
        liveness.path("path").asText());
    assertEquals("/" + node.getString("pekko.management.health-checks.readiness-path"),
        readiness.path("path").asText());
    for (JsonNode port : get("Service/courier").path("spec").path("ports")) {
      containerPort(port.path("targetPort").asText());
    }
    for (JsonNode port : get("Service/courier-internal").path("spec").path("ports")) {
      containerPort(port.path("targetPort").asText());
    }
  }

  @Test
  void theServiceAccountMayListPodsAndNothingMore() {
    String account = pod().path("spec").path("serviceAccountName").asText();
    get("ServiceAccount/" + account);
    JsonNode binding = get("RoleBinding/courier-pod-reader");
    assertEquals(account, binding.path("subjects").get(0).path("name").asText());
    JsonNode role = get("Role/" + binding.path("roleRef").path("name").asText());
    assertEquals(1, role.path("rules").size());
    JsonNode rule = role.path("rules").get(0);
    assertEquals("pods", rule.path("resources").get(0).asText());
    Set<String> verbs = new HashSet<>();
    rule.path("verbs").forEach(v -> verbs.add(v.asText()));
    assertEquals(Set.of("get", "watch", "list"), verbs);
  }

  @Test
  void everyEnvironmentVariableIsDocumentedAndAccessControlIsOn() throws IOException {
    String readme = Files.readString(Path.of("../README.md"));
    Map<String, String> env = env();
    List<String> undocumented = new ArrayList<>();
    for (String name : env.keySet()) {
      if (name.startsWith("COURIER_") && !readme.contains("`" + name + "`")) {
        undocumented.add(name);
      }
    }
    assertTrue(undocumented.isEmpty(), "not in the README: " + undocumented);
    assertEquals("bootstrap", env.get("COURIER_DISCOVERY"));
    assertEquals("kubernetes-api", env.get("COURIER_DISCOVERY_METHOD"));
    assertEquals("jwt", env.get("COURIER_AUTH"), "the HTTP port binds beyond loopback");
    assertFalse(env.containsKey("COURIER_SEEDS"), "bootstrap needs seeds unset");
    assertEquals(String.valueOf(get("StatefulSet/courier").path("spec").path("replicas").asInt()),
        env.get("COURIER_REQUIRED_CONTACT_POINTS"));
    Matcher configFile = Pattern.compile("-Dconfig.file=/app/resources/(\\S+)")
        .matcher(env.get("JAVA_TOOL_OPTIONS"));
    assertTrue(configFile.find());
    assertTrue(Files.exists(Path.of(configFile.group(1))),
        "the image carries deploy/" + configFile.group(1));
  }

  @Test
  void thePodsRunTheImageTheImageProfileBuilds() throws IOException {
    String pom = Files.readString(Path.of("pom.xml"));
    Matcher version = Pattern.compile("<parent>.*?<version>([^<]+)</version>", Pattern.DOTALL)
        .matcher(pom);
    Matcher target = Pattern.compile("<to>\\s*<image>([^<]+)</image>").matcher(pom);
    assertTrue(version.find() && target.find(), "the image profile names its image");
    String built = target.group(1).replace("${project.version}", version.group(1));
    assertEquals(built, container().path("image").asText(), "deploy/k8s runs what -Pimage builds");
  }

  @Test
  void theGracePeriodCoversADrainAndAHandOff() {
    long drain = node.getDuration("courier.http.shutdown.drain").toSeconds()
        + node.getDuration("courier.http.shutdown.deadline").toSeconds()
        + node.getDuration("courier.subscription.handoff-drain").toSeconds();
    long grace = pod().path("spec").path("terminationGracePeriodSeconds").asLong();
    assertTrue(grace > drain, grace + " s grace for up to " + drain + " s of draining");
  }
}
