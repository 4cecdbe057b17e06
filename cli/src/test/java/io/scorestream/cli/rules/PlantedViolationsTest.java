package io.scorestream.cli.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.lang.ArchRule;
import io.scorestream.core.planted.CoreUsesKafka;
import io.scorestream.core.planted.CoreUsesMessages;
import io.scorestream.core.planted.CoreUsesProtobuf;
import io.scorestream.gateway.planted.GatewayComputes;
import io.scorestream.gateway.planted.GatewayUsesWorker;
import io.scorestream.jobs.planted.JobsUsesKafkaServer;
import io.scorestream.jobs.planted.JobsUsesOnnxProto;
import io.scorestream.jobs.planted.JobsUsesWorker;
import io.scorestream.proto.planted.ProtoUsesCore;
import io.scorestream.trainer.planted.TrainerUsesGateway;
import io.scorestream.worker.kafka.planted.TransportCallsSampler;
import io.scorestream.worker.planted.WorkerUsesCli;
import io.scorestream.worker.planted.WorkerUsesEmbeddedBroker;
import io.scorestream.worker.planted.WorkerUsesGateway;
import io.scorestream.worker.planted.WorkerUsesOrt;
import java.util.HashSet;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each layering rule fails on a class planted to break it (in this module's test sources, which
 * {@link LayeringTest} does not import): the rules can fail.
 */
class PlantedViolationsTest {
  private static final Map<ArchRule, Class<?>> PLANTED =
      Map.ofEntries(
          Map.entry(Layering.CORE_USES_NOTHING_OF_OURS, CoreUsesMessages.class),
          Map.entry(Layering.CORE_KNOWS_NO_TRANSPORT, CoreUsesKafka.class),
          Map.entry(Layering.ORT_ONLY_IN_CORE_ORT, WorkerUsesOrt.class),
          Map.entry(Layering.ONNX_PROTOBUF_ONLY_WHERE_GRAPHS_ARE_WRITTEN, JobsUsesOnnxProto.class),
          Map.entry(Layering.CORE_PROTOBUF_ONLY_FOR_ONNX, CoreUsesProtobuf.class),
          Map.entry(Layering.PROTO_USES_NOTHING_OF_OURS, ProtoUsesCore.class),
          Map.entry(Layering.JOBS_SERVES_EVERY_SERVICE_AND_KNOWS_NONE, JobsUsesWorker.class),
          Map.entry(Layering.WORKER_IMPORTS_NO_OTHER_SERVICE, WorkerUsesGateway.class),
          Map.entry(Layering.GATEWAY_IMPORTS_NO_OTHER_SERVICE, GatewayUsesWorker.class),
          Map.entry(Layering.TRAINER_IMPORTS_NO_OTHER_SERVICE, TrainerUsesGateway.class),
          Map.entry(Layering.NOTHING_USES_THE_COMMAND_LINE, WorkerUsesCli.class),
          Map.entry(Layering.KAFKA_SERVER_ONLY_IN_THE_EMBEDDED_BROKER, JobsUsesKafkaServer.class),
          Map.entry(
              Layering.EMBEDDED_BROKER_ONLY_IN_DEV_AND_BENCHMARKS, WorkerUsesEmbeddedBroker.class),
          Map.entry(Layering.TRANSPORT_CALLS_NO_SAMPLER, TransportCallsSampler.class),
          Map.entry(Layering.TRANSPORT_DOES_NO_NUMERICS, GatewayComputes.class));

  static Stream<Arguments> plantings() {
    return PLANTED.entrySet().stream()
        .map(e -> Arguments.of(e.getKey(), e.getValue().getSimpleName(), e.getValue()));
  }

  @ParameterizedTest(name = "{0} catches {1}")
  @MethodSource("plantings")
  void ruleCatchesTheClassPlantedToBreakIt(ArchRule rule, String name, Class<?> planted) {
    assertTrue(
        rule.evaluate(new ClassFileImporter().importClasses(planted)).hasViolation(),
        () -> rule.getDescription() + " let " + name + " through");
  }

  @Test
  void everyRuleHasAPlantedViolation() {
    assertEquals(new HashSet<>(Layering.ALL), PLANTED.keySet());
  }
}
