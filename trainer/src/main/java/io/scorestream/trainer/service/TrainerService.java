package io.scorestream.trainer.service;

import ai.djl.ndarray.NDManager;
import io.scorestream.core.model.ModelInfo;
import io.scorestream.core.model.TimeInput;
import io.scorestream.core.sde.Sde;
import io.scorestream.jobs.kafka.CheckpointPublisher;
import io.scorestream.jobs.kafka.KafkaClients;
import io.scorestream.jobs.kafka.TopicNames;
import io.scorestream.proto.v1.CheckpointEvent;
import io.scorestream.proto.v1.DataRecord;
import io.scorestream.proto.v1.TrainingMetrics;
import io.scorestream.trainer.data.DataTopic;
import io.scorestream.trainer.net.Architecture;
import io.scorestream.trainer.net.NetworkChoice;
import io.scorestream.trainer.net.ScoreNet;
import io.scorestream.trainer.quality.CheckpointQuality;
import io.scorestream.trainer.train.Objective;
import io.scorestream.trainer.train.Optimizer;
import io.scorestream.trainer.train.ScoreMatching;
import io.scorestream.trainer.train.TrainingState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The trainer service: follows a dataset's topic into a replay buffer and trains a score network on
 * it, and every {@link Checkpoints#every} steps, or {@link Checkpoints#interval} of training if
 * that comes first, exports the moving average of the weights to ONNX, checks the export against
 * DJL's forward pass (an export off by more than {@link #MAX_PARITY_ERROR} is refused, not
 * published), and publishes it on {@code scorestream.checkpoints} under the model's name with the
 * training step as its version, which workers load without a restart; each checkpoint is measured
 * against data held out of training and its figures, with a loss point every hundred steps, go on
 * {@code scorestream.training} ({@link CheckpointStep}). With a state directory it writes its whole
 * state there after each checkpoint and, when started again, takes it up: weights, optimiser,
 * moving average, step and place in the data. A state that is damaged, or that belongs to another
 * model, dataset or network, stops the trainer with the reason.
 */
public final class TrainerService implements Runnable, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(TrainerService.class);

  /**
   * The largest relative difference between an export and DJL's forward pass that may be published.
   */
  public static final double MAX_PARITY_ERROR = 1e-4;

  /** Held-out examples kept to measure checkpoints against (the newest). */
  static final int HELD_OUT = 2000;

  /**
   * When checkpoints are made and how they travel.
   *
   * @param every steps between checkpoints
   * @param interval the most training time between checkpoints (null: steps only)
   * @param partBytes the most bytes of model in one checkpoint record; larger models go in parts
   */
  public record Checkpoints(long every, Duration interval, int partBytes) {}

  /**
   * How checkpoints are measured.
   *
   * @param samples samples drawn from each checkpoint of low-dimensional data (0: no figures, no
   *     data held out)
   * @param imageSamples samples drawn from each checkpoint of an image model
   * @param steps steps of the reference sampler that draws them
   * @param heldOutEvery every this-many-th record of the data topic is kept out of training to
   *     measure against
   * @param classifierSteps steps the image feature classifier trains before each measurement
   */
  public record Quality(
      int samples, int imageSamples, int steps, int heldOutEvery, int classifierSteps) {
    /**
     * Figures of 2,000 samples (low-dimensional data) or 200 images by 200 steps, every 10th record
     * held out.
     */
    public static Quality defaults() {
      return new Quality(2000, 200, 200, 10, 300);
    }

    /** No figures. */
    public static Quality none() {
      return new Quality(0, 0, 0, 10, 0);
    }
  }

  /**
   * What the service trains.
   *
   * @param dataset the dataset (its topic)
   * @param model the model's name
   * @param sde the forward SDE
   * @param network the network asked for (made to fit the dataset's first record)
   * @param optimizer Adam, warm-up, clipping, EMA
   * @param objective denoising or sliced score matching
   * @param batch examples per step
   * @param checkpoints when checkpoints are made
   * @param quality how they are measured
   * @param bufferSize examples the replay buffer holds
   * @param minExamples examples to wait for before training starts
   * @param seed of the network and the draws
   * @param stateDir where the training state is kept (MODEL.state) and resumed from; null: nowhere
   * @param maxSteps stop, after a last checkpoint, once training reaches this step (0: train until
   *     closed)
   */
  public record Settings(
      String dataset,
      String model,
      Sde sde,
      NetworkChoice network,
      Optimizer.Settings optimizer,
      Objective objective,
      int batch,
      Checkpoints checkpoints,
      Quality quality,
      int bufferSize,
      int minExamples,
      long seed,
      Path stateDir,
      long maxSteps) {}

  private final KafkaClients kafka;
  private final TopicNames names;
  private final Settings s;
  private final Consumer<CheckpointEvent> published;
  private final Consumer<TrainingMetrics> curve;
  private volatile boolean closed;
  private final CompletableFuture<Void> stopped = new CompletableFuture<>();

  /**
   * @param published hears each checkpoint as published
   */
  public TrainerService(
      KafkaClients kafka, TopicNames names, Settings s, Consumer<CheckpointEvent> published) {
    this(kafka, names, s, published, point -> {});
  }

  /**
   * @param published hears each checkpoint as published
   * @param curve hears each point of the training curve as it goes out ({@link TrainerMetrics})
   */
  public TrainerService(
      KafkaClients kafka,
      TopicNames names,
      Settings s,
      Consumer<CheckpointEvent> published,
      Consumer<TrainingMetrics> curve) {
    this.kafka = kafka;
    this.names = names;
    this.s = s;
    this.published = published;
    this.curve = curve;
  }

  /**
   * Completes when the service stops: normally once closed, exceptionally when it could not go on.
   */
  public CompletableFuture<Void> stopped() {
    return stopped;
  }

  @Override
  public void run() {
    try {
      train();
      stopped.complete(null);
    } catch (RuntimeException | IOException e) {
      LOG.error("the trainer stopped", e);
      stopped.completeExceptionally(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      stopped.complete(null);
    }
  }

  private void train() throws IOException, InterruptedException {
    String topic = names.data(s.dataset());
    DataRecord first = null;
    while (!closed && first == null) {
      first = DataTopic.first(kafka, topic, Duration.ofSeconds(1)).orElse(null);
    }
    if (first == null) {
      return;
    }
    DataTail.Shape shape = DataTail.Shape.of(first);
    int[] dims = Arrays.stream(shape.dims()).mapToInt(v -> (int) v).toArray();
    Architecture config = s.network().forData(dims, shape.numClasses());
    Path stateFile = s.stateDir() == null ? null : s.stateDir().resolve(s.model() + ".state");
    TrainingState saved =
        stateFile != null && Files.exists(stateFile)
            ? compatible(TrainingState.read(stateFile), config, dims)
            : null;
    ReplayBuffer buffer = new ReplayBuffer(shape.dimension(), s.bufferSize());
    boolean measured = s.quality().samples() > 0;
    ReplayBuffer heldOut = measured ? new ReplayBuffer(shape.dimension(), HELD_OUT) : null;
    ModelInfo base =
        new ModelInfo(
            s.model(),
            "0",
            s.sde(),
            s.sde().defaultEps(),
            dims,
            shape.scaling(),
            config.numClasses(),
            TimeInput.TIME,
            s.dataset(),
            0);
    LOG.info("training {} on {} (examples of shape {})", s.model(), topic, Arrays.toString(dims));
    long from = saved == null ? 0 : Math.max(0, saved.dataOffset() - s.bufferSize());
    try (DataTail tail =
            new DataTail(
                kafka,
                topic,
                shape,
                config.numClasses() > 0,
                buffer,
                heldOut,
                s.quality().heldOutEvery(),
                from);
        NDManager manager = NDManager.newBaseManager();
        CheckpointPublisher publisher =
            new CheckpointPublisher(kafka, names, s.checkpoints().partBytes());
        MetricsPublisher metrics = new MetricsPublisher(kafka, names, curve);
        CheckpointQuality quality =
            measured
                ? new CheckpointQuality(
                    dims,
                    shape.numClasses(),
                    CheckpointQuality.isImage(dims)
                        ? s.quality().imageSamples()
                        : s.quality().samples(),
                    CheckpointQuality.checkpointSampler(s.quality().steps()),
                    manager,
                    s.seed())
                : null) {
      CheckpointStep step =
          new CheckpointStep(
              base,
              s.objective().metadata(),
              config,
              publisher,
              metrics,
              quality,
              s.quality().classifierSteps(),
              published);
      Thread reader = new Thread(tail, "trainer-data-" + s.dataset());
      reader.setDaemon(true);
      reader.start();
      while (!closed && buffer.size() < Math.min(s.minExamples(), s.bufferSize())) {
        Thread.sleep(100);
      }
      ScoreNet net = ScoreMatching.network(config, saved, manager, s.seed());
      try (ScoreMatching session =
          new ScoreMatching(
              net,
              ScoreMatching.Settings.forRuns(
                  s.sde(), s.batch(), s.optimizer(), s.seed(), false, s.objective()),
              manager)) {
        if (saved != null) {
          session.resume(saved);
          LOG.info("resumed {} at step {} from {}", s.model(), saved.step(), stateFile);
        }
        while (!closed) {
          long left = s.maxSteps() > 0 ? s.maxSteps() - session.steps() : Long.MAX_VALUE;
          if (left <= 0) {
            LOG.info(
                "{} reached step {} of {}; training stops",
                s.model(),
                session.steps(),
                s.maxSteps());
            break;
          }
          ReplayBuffer.Snapshot data = buffer.snapshot();
          ScoreMatching.Result r =
              session.run(
                  data.rows(),
                  data.labels(),
                  Math.min(s.checkpoints().every(), left),
                  s.checkpoints().interval(),
                  step::window);
          if (closed) {
            break;
          }
          step.checkpoint(
              r,
              net,
              manager,
              data,
              measured ? heldOut.snapshot() : new ReplayBuffer.Snapshot(new float[0], new long[0]));
          if (stateFile != null) {
            session.state(s.model(), s.dataset(), dims, tail.position()).write(stateFile);
          }
        }
      }
    }
  }

  /** A saved state this trainer can take up; otherwise the reason it cannot. */
  private TrainingState compatible(TrainingState state, Architecture config, int[] dims) {
    if (!state.model().equals(s.model())
        || !state.dataset().equals(s.dataset())
        || !state.fits(config, dims)) {
      throw new IllegalStateException(
          "the saved state is of model "
              + state.model()
              + " on dataset "
              + state.dataset()
              + " (shape "
              + Arrays.toString(state.dataShape())
              + ", "
              + state.config().describe()
              + "); this trainer is for "
              + s.model()
              + " on "
              + s.dataset()
              + " (shape "
              + Arrays.toString(dims)
              + ", "
              + config.describe()
              + "): move the state away, or start the trainer it belongs to");
    }
    return state;
  }

  @Override
  public void close() {
    closed = true;
  }
}
