package io.scorestream.jobs.kafka;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scorestream.jobs.RequestDigest;
import io.scorestream.proto.v1.CheckpointEvent;
import io.scorestream.proto.v1.CheckpointPart;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A model cut into parts joins back into the same bytes, and only from the parts its event names.
 */
class CheckpointPartsTest {
  private static byte[] model(int size, long seed) {
    byte[] bytes = new byte[size];
    new Random(seed).nextBytes(bytes);
    return bytes;
  }

  private static CheckpointEvent event(String version, byte[] onnx, int parts) {
    return CheckpointEvent.newBuilder()
        .setModelName("m")
        .setVersion(version)
        .setSizeBytes(onnx.length)
        .setSha256(RequestDigest.sha256Hex(onnx))
        .setParts(parts)
        .build();
  }

  @Test
  void partsInAnyOrderJoinBackIntoTheModel() {
    byte[] onnx = model(10_000, 1);
    List<CheckpointPart> parts = CheckpointParts.split("m", "7", onnx, 3000);
    assertEquals(4, parts.size(), "ceil(10000 / 3000)");
    assertEquals(1000, parts.get(3).getData().size(), "the last part holds the rest");
    CheckpointParts.Assembly assembly = new CheckpointParts.Assembly();
    for (int i : new int[] {2, 0, 3, 1}) {
      assembly.part(parts.get(i));
    }
    assertArrayEquals(onnx, assembly.complete(event("7", onnx, 4)));
    assertEquals(0, assembly.heldBytes(), "nothing held once joined");
  }

  @Test
  void aMissingPartOrAnotherFilesBytesIsRefusedNamingWhy() {
    byte[] onnx = model(10_000, 2);
    List<CheckpointPart> parts = CheckpointParts.split("m", "7", onnx, 3000);
    CheckpointParts.Assembly assembly = new CheckpointParts.Assembly();
    assembly.part(parts.get(0));
    assembly.part(parts.get(1));
    assembly.part(parts.get(3));
    String missing =
        assertThrows(IllegalArgumentException.class, () -> assembly.complete(event("7", onnx, 4)))
            .getMessage();
    assertTrue(missing.contains("4 parts") && missing.contains("3 of them"), missing);

    parts.forEach(assembly::part);
    byte[] other = model(10_000, 3);
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> assembly.complete(event("7", other, 4)))
            .getMessage()
            .contains("sha256"));
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> assembly.complete(event("8", onnx, 4)))
            .getMessage()
            .contains("none of them"));
  }

  @Test
  void partsOfAVersionThatNeverCompletedAreDroppedWhenTheNextBegins() {
    byte[] unfinished = model(10_000, 4);
    byte[] next = model(7000, 5);
    CheckpointParts.Assembly assembly = new CheckpointParts.Assembly();
    CheckpointParts.split("m", "1", unfinished, 3000).subList(0, 2).forEach(assembly::part);
    List<CheckpointPart> parts = CheckpointParts.split("m", "2", next, 3000);
    assertNotNull(assembly.part(parts.get(0)), "says it dropped version 1's parts");
    assertEquals(3000, assembly.heldBytes(), "only version 2's part is held");
    parts.subList(1, 3).forEach(assembly::part);
    assertArrayEquals(next, assembly.complete(event("2", next, 3)));
  }

  @Test
  void aTombstonedPartIsNoLongerHeld() {
    byte[] onnx = model(5000, 6);
    CheckpointParts.Assembly assembly = new CheckpointParts.Assembly();
    CheckpointParts.split("m", "1", onnx, 3000).forEach(assembly::part);
    assembly.tombstone(CheckpointParts.key("m", "1", 1));
    assembly.tombstone(CheckpointParts.key("m", "0", 0));
    assertEquals(3000, assembly.heldBytes());
    assertTrue(CheckpointParts.isPart(CheckpointParts.key("m", "1", 1)));
    assertEquals("m", CheckpointParts.modelOf(CheckpointParts.key("m", "1", 1)));
    assertTrue(!CheckpointParts.isPart("m"));
  }
}
