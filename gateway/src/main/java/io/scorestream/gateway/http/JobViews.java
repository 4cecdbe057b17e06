package io.scorestream.gateway.http;

import io.scorestream.gateway.view.JobIndex;
import io.scorestream.jobs.Times;
import io.scorestream.jobs.kafka.FleetView;
import io.scorestream.proto.v1.JobState;
import io.scorestream.proto.v1.JobStatus;
import io.scorestream.proto.v1.WorkerHeartbeat;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;

/**
 * A job as the API shows it: its {@code JobState} in the protobuf JSON mapping (without the
 * result's samples), links to its events and result, and while it waits, its place in its model's
 * queue and an estimate of when it ends.
 */
final class JobViews {
  /** The order jobs leave a queue in: higher priority, then earlier submission, then id. */
  static final Comparator<JobState> QUEUE_ORDER =
      Comparator.comparingInt((JobState s) -> -s.getSummary().getPriority())
          .thenComparing(s -> Times.instant(s.getSummary().getSubmittedAt()))
          .thenComparing(JobState::getJobId);

  private final JobIndex index;
  private final FleetView fleet;

  JobViews(JobIndex index, FleetView fleet) {
    this.index = index;
    this.fleet = fleet;
  }

  JsonObject job(JobIndex.Entry entry) {
    JobState state = entry.state();
    JsonObject json = new JsonObject(ProtoJson.print(state));
    String self = "/v1/jobs/" + state.getJobId();
    JsonObject links = new JsonObject().put("self", self).put("events", self + "/events");
    if (state.getStatus() == JobStatus.SUCCEEDED) {
      links.put("result", self + "/result");
    }
    json.put("links", links);
    if (state.getStatus() == JobStatus.QUEUED) {
      json.put("queue", queue(state));
    }
    return json;
  }

  /**
   * Where a queued job stands: how many jobs of its model leave the queue before it, and, when the
   * fleet has been finishing samples of late, the milliseconds until it ends at that pace (the
   * samples ahead and its own).
   */
  private JsonObject queue(JobState mine) {
    List<JobState> ahead =
        index.queued(mine.getModelName()).stream()
            .map(JobIndex.Entry::state)
            .filter(s -> QUEUE_ORDER.compare(s, mine) < 0)
            .toList();
    JsonObject queue = new JsonObject().put("position", ahead.size());
    long samples =
        mine.getSummary().getNumSamples()
            + ahead.stream().mapToLong(s -> s.getSummary().getNumSamples()).sum();
    double rate =
        fleet.live(Instant.now(), FleetView.LIVENESS).stream()
            .filter(
                b ->
                    b.getModelsList().stream()
                        .anyMatch(m -> m.getName().equals(mine.getModelName())))
            .mapToDouble(WorkerHeartbeat::getSamplesPerSecond)
            .sum();
    if (rate > 0) {
      queue.put("etaMs", Math.round(1000 * samples / rate));
    }
    return queue;
  }
}
