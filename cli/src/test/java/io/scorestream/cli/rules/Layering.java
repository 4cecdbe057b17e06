package io.scorestream.cli.rules;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaCall;
import com.tngtech.archunit.lang.ArchRule;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * DESIGN.md's module table and the package rules inside each module, as ArchUnit rules over the
 * compiled classes: arrows run one way down the table, the math knows no transport, transport does
 * no numerics, and each service carries only its own runtimes.
 */
final class Layering {
  private Layering() {}

  private static final String CORE = "io.scorestream.core..";
  private static final String PROTO = "io.scorestream.proto..";
  private static final String JOBS = "io.scorestream.jobs..";
  private static final String WORKER = "io.scorestream.worker..";
  private static final String GATEWAY = "io.scorestream.gateway..";
  private static final String TRAINER = "io.scorestream.trainer..";
  private static final String CLI = "io.scorestream.cli..";
  private static final String BROKER = "io.scorestream.broker..";

  private static final String[] KAFKA = {"org.apache.kafka..", "kafka.."};

  /** The Kafka server's packages (the broker, KRaft, its storage), as opposed to its clients. */
  private static final String[] KAFKA_SERVER = {
    "kafka..",
    "org.apache.kafka.raft..",
    "org.apache.kafka.controller..",
    "org.apache.kafka.metadata..",
    "org.apache.kafka.image..",
    "org.apache.kafka.storage..",
    "org.apache.kafka.coordinator.."
  };

  private static final String[] HTTP = {
    "io.vertx..", "java.net.http..", "com.sun.net.httpserver..", "io.micrometer.."
  };
  private static final String ORT = "ai.onnxruntime..";
  private static final String ONNX_PROTO = "ai.onnx..";
  private static final String PROTOBUF = "com.google.protobuf..";
  private static final String PYTORCH = "ai.djl..";

  /** Packages whose code moves or serves messages: none of them computes. */
  private static final String[] TRANSPORT = {
    GATEWAY,
    "io.scorestream.worker.kafka..",
    "io.scorestream.worker.metrics..",
    "io.scorestream.jobs.kafka..",
    "io.scorestream.trainer.service.."
  };

  /**
   * The samplers and analytic models: what only the math and the scheduler call (an SDE's type
   * describes a model, so transport may name it).
   */
  private static final String[] SAMPLING = {
    "io.scorestream.core.sample..", "io.scorestream.core.analytic.."
  };

  /** {@link Math}'s functions that compute (as opposed to min, max, abs and exact arithmetic). */
  private static final Set<String> NUMERIC_FUNCTIONS =
      Set.of(
          "sqrt", "cbrt", "exp", "expm1", "log", "log10", "log1p", "pow", "hypot", "sin", "cos",
          "tan", "asin", "acos", "atan", "atan2", "sinh", "cosh", "tanh", "fma", "scalb");

  static final ArchRule CORE_USES_NOTHING_OF_OURS =
      noClasses()
          .that()
          .resideInAPackage(CORE)
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(PROTO, JOBS, WORKER, GATEWAY, TRAINER, CLI, BROKER)
          .as("core uses nothing of ours (no messages, no services)");

  static final ArchRule CORE_KNOWS_NO_TRANSPORT =
      noClasses()
          .that()
          .resideInAPackage(CORE)
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(concat(KAFKA, HTTP))
          .as("core uses no Kafka and no HTTP");

  static final ArchRule ORT_ONLY_IN_CORE_ORT =
      noClasses()
          .that()
          .resideOutsideOfPackages("io.scorestream.core.ort..", "io.scorestream.bench..")
          .should()
          .dependOnClassesThat()
          .resideInAPackage(ORT)
          .as(
              "ONNX Runtime only in core's ort package (the benchmarks' bare loops, which measure us"
                  + " against it, outside every product)");

  static final ArchRule ONNX_PROTOBUF_ONLY_WHERE_GRAPHS_ARE_WRITTEN =
      noClasses()
          .that()
          .resideOutsideOfPackages("io.scorestream.core.onnx..", "io.scorestream.trainer.net..")
          .should()
          .dependOnClassesThat()
          .resideInAPackage(ONNX_PROTO)
          .as("ONNX's protobuf only in core's onnx package and the trainer's networks");

  static final ArchRule CORE_PROTOBUF_ONLY_FOR_ONNX =
      noClasses()
          .that()
          .resideInAPackage(CORE)
          .and()
          .resideOutsideOfPackage("io.scorestream.core.onnx..")
          .should()
          .dependOnClassesThat()
          .resideInAPackage(PROTOBUF)
          .as("core uses protobuf only to read and write ONNX graphs (its onnx package)");

  static final ArchRule PROTO_USES_NOTHING_OF_OURS =
      noClasses()
          .that()
          .resideInAPackage(PROTO)
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(CORE, JOBS, WORKER, GATEWAY, TRAINER, CLI, BROKER)
          .as("the messages use nothing of ours");

  static final ArchRule JOBS_SERVES_EVERY_SERVICE_AND_KNOWS_NONE =
      noClasses()
          .that()
          .resideInAPackage(JOBS)
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(WORKER, GATEWAY, TRAINER, CLI, BROKER, ORT, PYTORCH, "io.vertx..")
          .as("jobs depends on proto and core alone: no service, no runtime, no HTTP server");

  static final ArchRule WORKER_IMPORTS_NO_OTHER_SERVICE =
      noClasses()
          .that()
          .resideInAPackage(WORKER)
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(GATEWAY, TRAINER, CLI, BROKER, PYTORCH, "io.vertx..")
          .as("the worker uses no other service, no PyTorch and no Vert.x");

  static final ArchRule GATEWAY_IMPORTS_NO_OTHER_SERVICE =
      noClasses()
          .that()
          .resideInAPackage(GATEWAY)
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(
              concat(new String[] {WORKER, TRAINER, CLI, BROKER, ORT, PYTORCH}, SAMPLING))
          .as("the gateway uses no other service, no ONNX Runtime, no PyTorch and no sampler");

  static final ArchRule TRAINER_IMPORTS_NO_OTHER_SERVICE =
      noClasses()
          .that()
          .resideInAPackage(TRAINER)
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(WORKER, GATEWAY, CLI, BROKER, "io.vertx..")
          .as("the trainer uses no other service and no Vert.x");

  static final ArchRule NOTHING_USES_THE_COMMAND_LINE =
      noClasses()
          .that()
          .resideOutsideOfPackage(CLI)
          .should()
          .dependOnClassesThat()
          .resideInAPackage(CLI)
          .as("only the command line composes the services; nothing uses it");

  static final ArchRule KAFKA_SERVER_ONLY_IN_THE_EMBEDDED_BROKER =
      noClasses()
          .that()
          .resideOutsideOfPackage(BROKER)
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(KAFKA_SERVER)
          .as("the Kafka server's classes only in the embedded broker");

  static final ArchRule EMBEDDED_BROKER_ONLY_IN_DEV_AND_BENCHMARKS =
      noClasses()
          .that()
          .resideOutsideOfPackages(BROKER, "io.scorestream.bench..")
          .and()
          .doNotHaveFullyQualifiedName("io.scorestream.cli.DevCommand")
          .should()
          .dependOnClassesThat()
          .resideInAPackage(BROKER)
          .as("the embedded broker only in `dev` and the benchmarks (and tests)");

  static final ArchRule TRANSPORT_CALLS_NO_SAMPLER =
      noClasses()
          .that()
          .resideInAnyPackage(TRANSPORT)
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(SAMPLING)
          .as("transport code calls no sampler and no analytic model");

  static final ArchRule TRANSPORT_DOES_NO_NUMERICS =
      noClasses()
          .that()
          .resideInAnyPackage(TRANSPORT)
          .should()
          .callMethodWhere(numericFunction())
          .as("transport code does no numerics (no Math.sqrt, exp, log, pow, trigonometry)");

  static final List<ArchRule> ALL =
      List.of(
          CORE_USES_NOTHING_OF_OURS,
          CORE_KNOWS_NO_TRANSPORT,
          ORT_ONLY_IN_CORE_ORT,
          ONNX_PROTOBUF_ONLY_WHERE_GRAPHS_ARE_WRITTEN,
          CORE_PROTOBUF_ONLY_FOR_ONNX,
          PROTO_USES_NOTHING_OF_OURS,
          JOBS_SERVES_EVERY_SERVICE_AND_KNOWS_NONE,
          WORKER_IMPORTS_NO_OTHER_SERVICE,
          GATEWAY_IMPORTS_NO_OTHER_SERVICE,
          TRAINER_IMPORTS_NO_OTHER_SERVICE,
          NOTHING_USES_THE_COMMAND_LINE,
          KAFKA_SERVER_ONLY_IN_THE_EMBEDDED_BROKER,
          EMBEDDED_BROKER_ONLY_IN_DEV_AND_BENCHMARKS,
          TRANSPORT_CALLS_NO_SAMPLER,
          TRANSPORT_DOES_NO_NUMERICS);

  private static DescribedPredicate<JavaCall<?>> numericFunction() {
    return DescribedPredicate.describe(
        "a numeric function of Math or StrictMath",
        call -> {
          String owner = call.getTargetOwner().getName();
          return (owner.equals("java.lang.Math") || owner.equals("java.lang.StrictMath"))
              && NUMERIC_FUNCTIONS.contains(call.getName());
        });
  }

  private static String[] concat(String[]... groups) {
    return Arrays.stream(groups).flatMap(Arrays::stream).toArray(String[]::new);
  }
}
