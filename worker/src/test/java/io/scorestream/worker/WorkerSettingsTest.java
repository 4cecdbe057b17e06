package io.scorestream.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.scorestream.core.ort.Device;
import org.junit.jupiter.api.Test;

class WorkerSettingsTest {
  @Test
  void batchLimitsFollowTheDeviceTheModelsRunOnUnlessSet() {
    WorkerSettings defaults = WorkerSettings.builder("localhost:9092", "w").build();
    assertEquals(1024, defaults.maxBatchOn(Device.CPU));
    assertEquals(8192, defaults.maxActiveSamplesOn(Device.CPU));
    assertEquals(4096, defaults.maxBatchOn(Device.cuda(1)));
    assertEquals(32768, defaults.maxActiveSamplesOn(Device.cuda(1)));

    WorkerSettings batchSet = WorkerSettings.builder("localhost:9092", "w").maxBatch(256).build();
    assertEquals(256, batchSet.maxBatchOn(Device.cuda(0)));
    assertEquals(
        2048, batchSet.maxActiveSamplesOn(Device.cuda(0)), "eight batches of the set size");

    WorkerSettings bothSet =
        WorkerSettings.builder("localhost:9092", "w").maxBatch(256).maxActiveSamples(100).build();
    assertEquals(100, bothSet.maxActiveSamplesOn(Device.CPU));
  }
}
