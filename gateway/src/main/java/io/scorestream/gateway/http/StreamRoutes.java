package io.scorestream.gateway.http;

import io.scorestream.gateway.auth.Tenant;
import io.scorestream.gateway.events.EventHub;
import io.scorestream.gateway.events.StreamEvent;
import io.scorestream.gateway.view.JobIndex;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code GET /v1/jobs/{id}/events}: a job's events as Server-Sent Events, resumable with {@code
 * Last-Event-ID} (or a {@code lastEventId} query parameter, for clients that cannot set headers) on
 * this or any gateway.
 */
final class StreamRoutes {
  private final JobRoutes jobs;
  private final JobIndex index;
  private final EventHub hub;
  private final EventStream.Timing timing;

  StreamRoutes(JobRoutes jobs, JobIndex index, EventHub hub, EventStream.Timing timing) {
    this.jobs = jobs;
    this.index = index;
    this.hub = hub;
    this.timing = timing;
  }

  void events(RoutingContext ctx, Tenant tenant) {
    jobs.owned(ctx, tenant)
        .ifPresent(
            entry -> {
              String last = ctx.request().getHeader("Last-Event-ID");
              if (last == null) {
                last = ctx.queryParams().get("lastEventId");
              }
              long cursor = -1;
              if (last != null && !last.isBlank()) {
                try {
                  cursor = StreamEvent.cursorAfter(last);
                } catch (NumberFormatException e) {
                  ApiError.send(
                      ctx,
                      400,
                      "invalid_header",
                      "Last-Event-ID",
                      "Last-Event-ID must be the id of an event"
                          + " of this stream, got '"
                          + ApiError.clip(last)
                          + "'");
                  return;
                }
                if (cursor == StreamEvent.AFTER_FINAL) {
                  ctx.response()
                      .setStatusCode(204)
                      .end(); // the client has the final event: nothing follows it
                  return;
                }
              }
              String id = entry.state().getJobId();
              new EventStream(
                      ctx.vertx(),
                      ctx.response(),
                      hub,
                      entry,
                      () -> index.get(id).orElse(null),
                      cursor,
                      timing)
                  .start();
            });
  }
}
