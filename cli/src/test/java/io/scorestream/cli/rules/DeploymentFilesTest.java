package io.scorestream.cli.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scorestream.jobs.kafka.TopicNames;
import io.scorestream.worker.kafka.JobConsumer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docker/ checked without a container engine: both compose files against the Compose
 * Specification's schema and the topology's own rules ({@code docker/test/lint/check-compose.mjs}),
 * every Dockerfile through dockerfile-utils' linter, and deploy/kubernetes against the Kubernetes
 * and KEDA schemas and the fleet's rules ({@code check-kubernetes.mjs}); each check also shown to
 * fail on planted mistakes. The tools come from the npm registry into target/ at the versions
 * {@code docker/test/lint/package.json} pins. The container test (docker/test/container-test.sh)
 * builds and runs the images.
 */
@Tag("integration")
class DeploymentFilesTest {
  private static final Path DOCKER = Path.of("..", "docker").toAbsolutePath().normalize();
  private static final Path KUBERNETES =
      Path.of("..", "deploy", "kubernetes").toAbsolutePath().normalize();
  private static final Path LINT = Path.of("target", "deploy-lint").toAbsolutePath();

  @BeforeAll
  static void installTheLinters() throws IOException, InterruptedException {
    Files.createDirectories(LINT);
    for (String file : List.of("package.json", "check-compose.mjs", "check-kubernetes.mjs")) {
      Files.copy(
          DOCKER.resolve("test/lint").resolve(file),
          LINT.resolve(file),
          StandardCopyOption.REPLACE_EXISTING);
    }
    if (!Files.isDirectory(LINT.resolve("node_modules/dclint"))
        || !Files.isDirectory(
            LINT.resolve("node_modules/@kubernetes-models/strimzi-kafka-operator"))) {
      Result npm = run(LINT, "npm", "install", "--no-audit", "--no-fund", "--silent");
      assertEquals(0, npm.code(), "npm install: " + npm.output());
    }
  }

  private record Result(int code, String output) {}

  private static Result run(Path dir, String... command) throws IOException, InterruptedException {
    Process p =
        new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), String.join(" ", command) + " ended");
    return new Result(p.exitValue(), out);
  }

  private static Result checkCompose(Path... files) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("node", "check-compose.mjs"));
    for (Path f : files) {
      command.add(f.toString());
    }
    return run(LINT, command.toArray(String[]::new));
  }

  @Test
  void bothComposeFilesFollowTheSpecificationAndTheTopologysRules() throws Exception {
    Result r = checkCompose(DOCKER.resolve("compose.yaml"), DOCKER.resolve("compose.single.yaml"));
    assertEquals(0, r.code(), r.output());
  }

  @Test
  void aMisspelledKeyADanglingDependencyAndTwoClusterIdsAreCaught(@TempDir Path dir)
      throws Exception {
    String good = Files.readString(DOCKER.resolve("compose.yaml"));
    Path bad = dir.resolve("compose.yaml");
    Files.writeString(
        bad,
        good.replaceFirst(
                "  kafka-2:\n    <<: \\*kafka\n",
                "  kafka-2:\n    <<: *kafka\n    healthchek: {}\n")
            .replace(
                "      KAFKA_NODE_ID: 3\n", "      KAFKA_NODE_ID: 3\n      CLUSTER_ID: other\n")
            .replace(
                "    kafka-3:\n      condition: service_healthy\n",
                "    kafka-4:\n      condition: service_healthy\n"));
    Result r = checkCompose(bad);
    assertEquals(1, r.code(), r.output());
    assertTrue(r.output().contains("must NOT have additional properties"), r.output());
    assertTrue(r.output().contains("CLUSTER_ID differs between nodes"), r.output());
    assertTrue(r.output().contains("depends on kafka-4, which is not a service"), r.output());
  }

  @Test
  void everyDockerfilePassesTheLinterAndAPlantedMistakeDoesNot(@TempDir Path dir) throws Exception {
    List<Path> dockerfiles;
    try (Stream<Path> files = Files.walk(DOCKER)) {
      dockerfiles =
          files
              .filter(f -> f.getFileName().toString().endsWith("Dockerfile"))
              .filter(f -> !f.toString().contains("/.build/"))
              .sorted()
              .toList();
    }
    assertTrue(
        dockerfiles.size() >= 5, "the services', the broker's and the test base's: " + dockerfiles);
    String lint = LINT.resolve("node_modules/.bin/dockerfile-utils").toString();
    for (Path f : dockerfiles) {
      Result r = run(LINT, lint, "lint", f.toString());
      assertEquals(0, r.code(), f + ": " + r.output());
      if (!f.startsWith(DOCKER.resolve("test"))) { // the test's JRE base is no service
        assertTrue(Files.readString(f).contains("\nUSER 10001:10001\n"), f + " runs as user 10001");
      }
    }
    Path bad = dir.resolve("bad.Dockerfile");
    Files.writeString(
        bad, Files.readString(DOCKER.resolve("worker.Dockerfile")).replace("\nUSER ", "\nUSRE "));
    assertEquals(1, run(LINT, lint, "lint", bad.toString()).code(), "an unknown instruction fails");
  }

  /** Checks one way to run the fleet: the directories kubectl would apply, together. */
  private static Result checkKubernetes(Path root, String... dirs) throws Exception {
    List<String> command = new ArrayList<>(List.of("node", "check-kubernetes.mjs"));
    for (String d : dirs) {
      command.add(root.resolve(d).toString());
    }
    return run(LINT, command.toArray(String[]::new));
  }

  @Test
  void theKubernetesManifestsFollowTheSchemasAndTheFleetsRulesEitherWayTheyScale()
      throws Exception {
    Path kubectl =
        Stream.of(System.getenv("PATH").split(":"))
            .map(d -> Path.of(d, "kubectl"))
            .filter(Files::isExecutable)
            .findFirst()
            .orElse(null);
    for (List<String> way :
        List.of(
            List.of(".", "kafka", "gpu", "../observability"),
            List.of("hpa", "kafka", "gpu", "../observability"))) {
      Result r = checkKubernetes(KUBERNETES, way.toArray(String[]::new));
      assertEquals(0, r.code(), way + ": " + r.output());
      if (kubectl != null) { // kustomize renders what the check read
        long kinds = 0;
        for (String dir : way) {
          Result rendered = run(KUBERNETES.resolve(dir), kubectl.toString(), "kustomize", ".");
          assertEquals(0, rendered.code(), rendered.output());
          kinds += rendered.output().lines().filter(l -> l.startsWith("kind: ")).count();
        }
        assertTrue(
            r.output().contains(kinds + " objects, 0 problems"), kinds + " vs " + r.output());
      }
    }
    // the scaler watches the groups and topics the workers' code really uses
    String scaler = Files.readString(KUBERNETES.resolve("worker-scaler.yaml"));
    TopicNames names = TopicNames.defaults();
    assertTrue(
        scaler.contains("consumerGroup: " + JobConsumer.group(names) + "\n")
            && scaler.contains("topic: " + names.jobs() + "\n"),
        "the jobs topic's group");
    assertTrue(
        scaler.contains("consumerGroup: " + JobConsumer.poolGroup(names, "mnist-unet") + "\n")
            && scaler.contains("topic: " + names.pool("mnist-unet") + "\n"),
        "a model pool's group");
  }

  @Test
  void plantedMistakesInTheManifestsAreCaught(@TempDir Path dir) throws Exception {
    try (Stream<Path> files = Files.walk(KUBERNETES)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        Path copy = dir.resolve(KUBERNETES.relativize(f).toString());
        Files.createDirectories(copy.getParent());
        Files.copy(f, copy);
      }
    }
    plant(dir.resolve("base/gateway.yaml"), "  replicas: 2\n", "  replicas: two\n");
    plant(
        dir.resolve("base/gateway.yaml"), "secretName: scorestream-tenants", "secretName: tenants");
    plant(dir.resolve("base/trainer.yaml"), "port: metrics\n", "port: 9405\n");
    plant(
        dir.resolve("worker-scaler.yaml"),
        "consumerGroup: scorestream-workers\n",
        "consumerGroup: scorestream-worker\n");
    plant(dir.resolve("kafka/kafka.yaml"), "min.insync.replicas: 2", "min.insync.replicas: 1");
    plant(dir.resolve("gpu/worker-gpu.yaml"), "value: cuda:0", "value: cpu");
    Result r = checkKubernetes(dir, ".", "kafka", "gpu");
    assertEquals(1, r.code(), r.output());
    for (String expected :
        List.of(
            "spec/replicas must be integer",
            "no Secret tenants",
            "readinessProbe port 9405 is not one it opens",
            "scorestream-worker is not a workers' consumer group",
            "topics must keep three copies with two in sync",
            "has a GPU but SCORESTREAM_DEVICE is 'cpu'")) {
      assertTrue(r.output().contains(expected), expected + " in " + r.output());
    }
    Result both = checkKubernetes(KUBERNETES, ".", "hpa");
    assertTrue(both.output().contains("two autoscalers would fight over it"), both.output());
  }

  private static void plant(Path file, String what, String instead) throws Exception {
    String text = Files.readString(file);
    assertTrue(text.contains(what), file + " has " + what);
    Files.writeString(file, text.replace(what, instead));
  }
}
