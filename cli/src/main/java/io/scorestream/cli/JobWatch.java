package io.scorestream.cli;

import com.google.protobuf.ByteString;
import io.scorestream.core.sample.StepProgress;
import io.scorestream.gateway.client.GatewayJobs;
import io.scorestream.jobs.Tensors;
import io.scorestream.jobs.kafka.JobClient;
import io.scorestream.proto.v1.Completed;
import io.scorestream.proto.v1.JobEvent;
import io.scorestream.proto.v1.Progress;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;

/**
 * Following one job to its end on the terminal, for {@code submit --watch} and {@code watch}: a
 * progress bar, a line for each start (with the attempt), the latest preview kept on disk, and the
 * result written at the end. A job that fails or is cancelled ends in an exception with its reason.
 */
final class JobWatch {
  private final PrintWriter err;
  private final Path out;
  private final Path previewOut;
  private final int samples;
  private final ProgressBar bar;
  private StepProgress latest = new StepProgress(0, 0, 1, 0, 0);

  /**
   * @param out where the result goes, or null for nowhere
   * @param previewOut where each preview goes as it comes, or null
   * @param samples the job's number of samples
   */
  JobWatch(PrintWriter err, Path out, Path previewOut, int samples) {
    this.err = err;
    this.out = out;
    this.previewOut = previewOut;
    this.samples = samples;
    this.bar = new ProgressBar(err, samples);
  }

  /**
   * Follows the job's events on Kafka from {@code from} to its final event, then ends as {@link
   * #finish} does.
   */
  void follow(JobClient client, String jobId, ByteString digest, Instant from, Duration timeout)
      throws IOException {
    JobEvent last;
    try {
      last = client.follow(jobId, digest, from, timeout, this::onEvent);
    } catch (RuntimeException e) {
      bar.abandon();
      throw e;
    }
    finish(jobId, last);
  }

  /**
   * Follows the job's events through a gateway to its final event, then ends as {@link #finish}
   * does.
   */
  void follow(GatewayJobs gateway, String jobId, Duration timeout)
      throws IOException, InterruptedException {
    JobEvent last;
    try {
      last = gateway.follow(jobId, timeout, this::onEvent, this::onPreviewPng);
    } catch (RuntimeException e) {
      bar.abandon();
      throw e;
    }
    finish(jobId, last);
  }

  /**
   * An image preview as the gateway sends it, a PNG grid: kept as it is when the preview file is a
   * PNG.
   */
  private void onPreviewPng(byte[] png) {
    if (previewOut == null) {
      return;
    }
    if (!SampleFiles.isPng(previewOut)) {
      throw new IllegalStateException(
          "--preview-out "
              + previewOut
              + ": through a gateway, image previews come"
              + " as PNG; give a .png file");
    }
    replacePreview(file -> Files.write(file, png));
  }

  private void onEvent(JobEvent event) {
    if (event.hasProgress()) {
      latest = progress(event.getProgress());
      bar.update(latest);
      if (previewOut != null && event.getProgress().hasPreview()) {
        writePreview(event.getProgress());
      }
    } else if (event.hasStarted()) {
      bar.abandon();
      err.printf(
          "started on %s (model version %s, attempt %d)%n",
          event.getStarted().getWorkerId(),
          event.getStarted().getModelVersion(),
          event.getAttempt());
      err.flush();
    }
  }

  /** Ends with the job's final event: writes its result, or throws with why it did not complete. */
  void finish(String jobId, JobEvent last) throws IOException {
    if (!last.hasCompleted()) {
      bar.abandon();
    }
    if (last.hasFailed()) {
      throw new IllegalStateException("job " + jobId + " failed: " + last.getFailed().getReason());
    }
    if (last.hasCancelled()) {
      throw new IllegalStateException(
          "job " + jobId + " was cancelled: " + last.getCancelled().getReason());
    }
    Completed result = last.getCompleted();
    bar.finish(
        new StepProgress(
            latest.totalSteps() > 0 ? latest.totalSteps() : latest.step(),
            latest.totalSteps(),
            latest.t(),
            result.getNfe(),
            1));
    write(result);
  }

  /** Writes a completed job's samples to {@code out}, if one was given. */
  void write(Completed result) throws IOException {
    if (result.hasValues()) {
      double[] values = Tensors.doubles(result.getValues());
      err.printf(
          "%d per-example values in %s, mean %.4f%n",
          values.length, result.getUnit(), Arrays.stream(values).average().orElse(Double.NaN));
      if (out != null) {
        float[] f = new float[values.length];
        for (int i = 0; i < f.length; i++) {
          f[i] = (float) values[i];
        }
        io.scorestream.jobs.formats.Npy.write(out, f, values.length, new int[0]);
        err.println("wrote them to " + out);
      }
      err.flush();
      return;
    }
    if (out == null) {
      return;
    }
    int[] shape =
        result.getSamples().getShapeList().stream().skip(1).mapToInt(Long::intValue).toArray();
    SampleFiles.write(out, Tensors.floats(result.getSamples()), samples, shape);
    err.printf(
        "wrote %d samples to %s (NFE %d, queued %d ms, ran %d ms)%n",
        samples, out, result.getNfe(), result.getQueuedMs(), result.getRunMs());
    err.flush();
  }

  private void writePreview(Progress p) {
    int[] shape = p.getPreview().getShapeList().stream().skip(1).mapToInt(Long::intValue).toArray();
    if (SampleFiles.shapeProblem(previewOut, shape) != null) {
      throw new IllegalStateException(
          "--preview-out " + previewOut + ": " + SampleFiles.shapeProblem(previewOut, shape));
    }
    replacePreview(file -> SampleFiles.write(file, Tensors.floats(p.getPreview()), samples, shape));
  }

  @FunctionalInterface
  private interface PreviewWriter {
    void to(Path file) throws IOException;
  }

  /**
   * Writes a preview aside and moves it into place, so an image viewer never shows half a preview.
   */
  private void replacePreview(PreviewWriter write) {
    Path absolute = previewOut.toAbsolutePath();
    Path partial = absolute.resolveSibling(".partial-" + absolute.getFileName());
    try {
      write.to(partial);
      Files.move(
          partial, absolute, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException | RuntimeException e) {
      throw new IllegalStateException(
          "cannot write the preview to " + previewOut + ": " + e.getMessage(), e);
    }
  }

  private static StepProgress progress(Progress p) {
    double fraction =
        p.getTotalSteps() > 0
            ? (double) p.getStep() / p.getTotalSteps()
            : Math.max(0, 1 - p.getT());
    return new StepProgress(p.getStep(), p.getTotalSteps(), p.getT(), p.getNfe(), fraction);
  }
}
