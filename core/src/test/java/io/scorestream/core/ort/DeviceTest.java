package io.scorestream.core.ort;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DeviceTest {
  @Test
  void readsTheCpuAndCudaDevicesAndWritesThemBackTheSameWay() {
    assertEquals(Device.CPU, Device.parse("cpu"));
    assertFalse(Device.CPU.isCuda());
    assertEquals(Device.cuda(0), Device.parse("cuda"));
    assertEquals(Device.cuda(3), Device.parse(" cuda:3 "));
    assertTrue(Device.parse("cuda:3").isCuda());
    for (String s : new String[] {"cpu", "cuda:0", "cuda:7"}) {
      assertEquals(s, Device.parse(s).toString());
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "gpu", "CUDA", "cuda:", "cuda:-1", "cuda:x", "cuda:99999", "cpu:0"})
  void refusesAnythingElseNamingTheFormsItTakes(String text) {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Device.parse(text));
    assertTrue(e.getMessage().contains("'" + text + "'"), e.getMessage());
    assertTrue(e.getMessage().contains("cpu, cuda or cuda:N"), e.getMessage());
  }
}
