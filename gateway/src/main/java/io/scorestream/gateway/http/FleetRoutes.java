package io.scorestream.gateway.http;

import io.scorestream.jobs.kafka.FleetView;
import io.scorestream.jobs.kafka.TrainingCurves;
import io.scorestream.proto.v1.ModelVersion;
import io.scorestream.proto.v1.TrainingMetrics;
import io.scorestream.proto.v1.WorkerHeartbeat;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code GET /v1/models} and {@code GET /v1/workers}: the fleet as its heartbeats tell it; and
 * {@code GET /v1/models/{name}/training}: a model's training curve as its trainer wrote it.
 */
final class FleetRoutes {
  private final FleetView fleet;
  private final TrainingCurves curves;

  FleetRoutes(FleetView fleet, TrainingCurves curves) {
    this.fleet = fleet;
    this.curves = curves;
  }

  /**
   * A model's training curve: loss points and checkpoint figures in step order; 404 when none was
   * written.
   */
  void training(RoutingContext ctx) {
    String name = ctx.pathParam("name");
    List<TrainingMetrics> curve = curves.curve(name);
    if (curve.isEmpty()) {
      ApiError.send(
          ctx,
          404,
          "no_training_curve",
          "no training curve for model '"
              + ApiError.clip(name)
              + "': its trainer has written none (models trained elsewhere have none)");
      return;
    }
    JsonArray points = new JsonArray();
    curve.forEach(p -> points.add(new JsonObject(ProtoJson.print(p))));
    JobRoutes.json(ctx, 200, new JsonObject().put("model", name).put("points", points));
  }

  /**
   * Every model some live worker serves: its versions, each with its SDE, data shape, classes, its
   * metadata (noise range, scaling, provenance) and how many workers serve it.
   */
  void models(RoutingContext ctx) {
    Map<String, Map<String, JsonObject>> byName = new TreeMap<>();
    for (WorkerHeartbeat beat : fleet.live(Instant.now(), FleetView.LIVENESS)) {
      for (ModelVersion m : beat.getModelsList()) {
        JsonObject v =
            byName
                .computeIfAbsent(m.getName(), n -> new TreeMap<>())
                .computeIfAbsent(
                    m.getVersion(), ver -> new JsonObject(ProtoJson.print(m)).put("workers", 0));
        v.put("workers", v.getInteger("workers") + 1);
      }
    }
    JsonArray models = new JsonArray();
    byName.forEach(
        (name, versions) -> {
          List<JsonObject> all =
              versions.values().stream()
                  .sorted(
                      (a, b) ->
                          FleetView.compareVersions(
                              b.getString("version", ""), a.getString("version", "")))
                  .toList();
          JsonObject newest = all.get(0);
          JsonObject model = newest.copy().put("versions", new JsonArray(all));
          model.remove("workers");
          models.add(model);
        });
    JobRoutes.json(ctx, 200, new JsonObject().put("models", models));
  }

  /** The live workers' latest heartbeats. */
  void workers(RoutingContext ctx) {
    JsonArray workers = new JsonArray();
    fleet.live(Instant.now(), FleetView.LIVENESS).stream()
        .sorted(Comparator.comparing(WorkerHeartbeat::getWorkerId))
        .forEach(b -> workers.add(new JsonObject(ProtoJson.print(b))));
    JobRoutes.json(ctx, 200, new JsonObject().put("workers", workers));
  }
}
