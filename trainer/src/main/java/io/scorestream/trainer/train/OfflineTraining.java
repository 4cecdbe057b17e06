package io.scorestream.trainer.train;

import ai.djl.ndarray.NDManager;
import io.scorestream.core.model.ModelInfo;
import io.scorestream.core.model.TimeInput;
import io.scorestream.core.onnx.OnnxMetadata;
import io.scorestream.core.sde.Sde;
import io.scorestream.trainer.data.Loaded;
import io.scorestream.trainer.net.Architecture;
import io.scorestream.trainer.net.ScoreNet;
import io.scorestream.trainer.quality.CheckpointQuality;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Score matching on examples held in memory, from a fresh network or a saved training state, to an
 * ONNX score model the workers serve, measured against held-out examples: what {@code scorestream
 * train} runs, with no Kafka (the trainer service does the same from a data topic).
 */
public final class OfflineTraining {
  private OfflineTraining() {}

  /**
   * What to train and for how long.
   *
   * @param architecture the network
   * @param sde the forward SDE; the model's smallest time is its default eps
   * @param batch examples per step
   * @param optimizer Adam, warm-up, clipping and the moving average
   * @param likelihoodWeighting weight the loss by {@code g^2} instead of {@code sigma^2}
   * @param objective denoising or sliced score matching
   * @param seed of the network's initial weights and of the batches, times and noise
   * @param steps stop after this many more steps (0: no limit)
   * @param time stop after this long (null: no limit)
   * @param model the model's name
   * @param dataset the dataset as the model's metadata names it
   * @param notes more metadata for the model (how its noise scales were chosen, ...)
   */
  public record Settings(
      Architecture architecture,
      Sde sde,
      int batch,
      Optimizer.Settings optimizer,
      boolean likelihoodWeighting,
      Objective objective,
      long seed,
      long steps,
      Duration time,
      String model,
      String dataset,
      Map<String, String> notes) {}

  /**
   * How the model is measured after training.
   *
   * @param heldOut examples kept out of training (null: not measured)
   * @param numClasses the dataset's classes (0: unlabelled)
   * @param samples samples drawn (0: not measured)
   * @param steps sampler steps for them
   * @param classifierSteps steps of the feature classifier that image figures use
   */
  public record Measure(
      Loaded heldOut, int numClasses, int samples, int steps, int classifierSteps) {}

  /**
   * Where the training state goes while the run goes on, so that a run killed, crashed or stopped
   * loses at most {@code every} of its work.
   *
   * @param every the least time between two states (they are taken at the hundred-step marks)
   * @param sink keeps each state (writes it to a file); it deals with its own failures
   */
  public record Checkpoints(Duration every, Consumer<TrainingState> sink) {}

  /**
   * What came of it.
   *
   * @param training the run: steps, time, throughput, loss
   * @param info the model's metadata (its version is the step count)
   * @param onnx the model, the moving average of the weights
   * @param state the state to resume from, when asked for
   * @param quality the figures against the held-out examples (null: not measured)
   */
  public record Result(
      ScoreMatching.Result training,
      ModelInfo info,
      byte[] onnx,
      TrainingState state,
      CheckpointQuality.Figures quality) {}

  /**
   * Trains on {@code examples} (rows in model space) and exports the model.
   *
   * @param resume a saved state of this architecture and data to go on from (null: a fresh network)
   * @param keep where states go during the run; the result then carries the last one too (null: no
   *     state is kept)
   * @param progress hears each hundred steps' mean loss, as a line
   */
  public static Result run(
      Settings s,
      Loaded examples,
      TrainingState resume,
      Checkpoints keep,
      Measure measure,
      Consumer<String> progress) {
    try (NDManager manager = NDManager.newBaseManager()) {
      ScoreNet net = ScoreMatching.network(s.architecture(), resume, manager, s.seed());
      ScoreMatching.Result r;
      TrainingState state = null;
      try (ScoreMatching session =
          new ScoreMatching(
              net,
              ScoreMatching.Settings.forRuns(
                  s.sde(),
                  s.batch(),
                  s.optimizer(),
                  s.seed(),
                  s.likelihoodWeighting(),
                  s.objective()),
              manager)) {
        if (resume != null) {
          session.resume(resume);
        }
        long[] kept = {System.nanoTime()};
        r =
            session.run(
                examples.values(),
                examples.labels(),
                s.steps(),
                s.time(),
                window -> {
                  progress.accept(window.toString());
                  if (keep != null && System.nanoTime() - kept[0] >= keep.every().toNanos()) {
                    keep.sink().accept(session.state(s.model(), s.dataset(), examples.shape(), 0));
                    kept[0] = System.nanoTime();
                  }
                });
        if (keep != null) {
          state = session.state(s.model(), s.dataset(), examples.shape(), 0);
        }
      }
      ModelInfo info =
          new ModelInfo(
              s.model(),
              Long.toString(r.steps()),
              s.sde(),
              s.sde().defaultEps(),
              examples.shape(),
              examples.scaling(),
              s.architecture().numClasses(),
              TimeInput.TIME,
              s.dataset(),
              r.steps());
      byte[] onnx = OnnxMetadata.with(net.exportOnnx(r.averaged(), info), notes(s));
      return new Result(r, info, onnx, state, measure(examples, measure, info, onnx, manager, s));
    }
  }

  private static Map<String, String> notes(Settings s) {
    Map<String, String> notes = new LinkedHashMap<>(s.notes());
    notes.putAll(s.objective().metadata());
    return notes;
  }

  private static CheckpointQuality.Figures measure(
      Loaded examples, Measure m, ModelInfo info, byte[] onnx, NDManager manager, Settings s) {
    if (m.heldOut() == null || m.samples() <= 0) {
      return null;
    }
    try (CheckpointQuality quality =
        new CheckpointQuality(
            examples.shape(),
            m.numClasses(),
            m.samples(),
            CheckpointQuality.checkpointSampler(m.steps()),
            manager,
            s.seed())) {
      return quality.measure(
          onnx,
          info,
          examples.values(),
          examples.labels(),
          m.heldOut().values(),
          m.heldOut().labels(),
          m.classifierSteps(),
          11);
    }
  }
}
