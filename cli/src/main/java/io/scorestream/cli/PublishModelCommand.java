package io.scorestream.cli;

import io.scorestream.core.model.ModelFormatException;
import io.scorestream.core.ort.OrtRuntime;
import io.scorestream.core.ort.OrtScoreModel;
import io.scorestream.jobs.cli.KafkaOptions;
import io.scorestream.jobs.kafka.CheckpointPublisher;
import io.scorestream.proto.v1.CheckpointEvent;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code scorestream model publish}: puts a score model or a classifier on the checkpoints topic,
 * from where every worker loads it without a restart (a file in one worker's models directory
 * reaches that worker only). The file is loaded here first, so that a model no worker would serve
 * is refused before it is published.
 */
@Command(
    name = "publish",
    mixinStandardHelpOptions = true,
    description =
        "Publish a score model or a noise-conditional classifier (.onnx) to every worker.")
final class PublishModelCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin KafkaOptions kafka;

  @Parameters(
      paramLabel = "FILE.onnx",
      description = "the model; its metadata names it and its version")
  Path file;

  @Override
  public Integer call() {
    String what;
    byte[] onnx;
    try {
      onnx = OrtRuntime.read(file); // loaded here to be checked, then sent as read
      OrtRuntime runtime = new OrtRuntime(1);
      try (OrtScoreModel model = runtime.loadEither(onnx, OrtRuntime.fallbackName(file))) {
        what = (model.classifier() ? "classifier " : "model ") + model.info();
      }
    } catch (ModelFormatException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
    PrintWriter err = spec.commandLine().getErr();
    try (CheckpointPublisher publisher = new CheckpointPublisher(kafka.clients(), kafka.topics())) {
      CheckpointEvent event = publisher.publish(onnx, OrtRuntime.fallbackName(file));
      err.printf(
          "published %s (%d KiB) to %s%n", what, onnx.length / 1024, kafka.topics().checkpoints());
      spec.commandLine().getOut().println(event.getModelName() + ":" + event.getVersion());
    }
    return 0;
  }
}
