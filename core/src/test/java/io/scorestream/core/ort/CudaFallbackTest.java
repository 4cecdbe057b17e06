package io.scorestream.core.ort;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtProvider;
import ai.onnxruntime.OrtSession;
import io.scorestream.core.analytic.GaussianMixture;
import io.scorestream.core.model.DataScaling;
import io.scorestream.core.model.ModelInfo;
import io.scorestream.core.model.ScoreModel;
import io.scorestream.core.model.TimeInput;
import io.scorestream.core.onnx.GaussianMixtureOnnx;
import io.scorestream.core.sde.VpSde;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A runtime asked for a CUDA device that ONNX Runtime cannot use runs its models on the CPU, and
 * says why in the operator's terms. The GPU side (the probe passing on a real device) is {@code
 * bench gpu}'s to show: CI has no GPU.
 */
class CudaFallbackTest {
  @TempDir Path dir;

  @Test
  void theCpuBuildAskedForCudaRunsOnTheCpuSayingTheBuildLacksCudaAndScoresAsTheCpuRuntime() {
    assumeFalse(
        OrtEnvironment.getAvailableProviders().contains(OrtProvider.CUDA),
        "the GPU build (-Pgpu) has the CUDA provider: this is the CPU build's behaviour");
    OrtRuntime asked = new OrtRuntime(1, Device.cuda(0));
    assertEquals(Device.cuda(0), asked.requested());
    assertEquals(Device.CPU, asked.device());
    String why = asked.fallback().orElseThrow();
    assertTrue(why.contains("CPU artifact") && why.contains("-Pgpu"), why);

    GaussianMixture gmm =
        new GaussianMixture(new double[] {1}, new double[][] {{0.5, -1}}, new double[] {0.7});
    ModelInfo info =
        new ModelInfo(
            "g",
            "1",
            new VpSde(0.1, 20, 1),
            1e-3,
            new int[] {2},
            DataScaling.IDENTITY,
            0,
            TimeInput.TIME,
            "",
            -1);
    byte[] onnx = GaussianMixtureOnnx.build(gmm, info);
    float[] x = {0.1f, 0.2f, -1f, 3f};
    float[] t = {0.3f, 0.9f};
    float[] onFallback = new float[4];
    float[] onCpu = new float[4];
    try (ScoreModel a = asked.load(onnx, "g");
        ScoreModel b = new OrtRuntime(1).load(onnx, "g")) {
      a.score(x, t, null, 2, onFallback);
      b.score(x, t, null, 2, onCpu);
    }
    assertArrayEquals(onCpu, onFallback);
  }

  @Test
  void aCpuRuntimeNeitherProbesNorFallsBack() {
    OrtRuntime cpu = new OrtRuntime(1);
    assertEquals(Device.CPU, cpu.requested());
    assertEquals(Device.CPU, cpu.device());
    assertTrue(cpu.fallback().isEmpty());
  }

  @Test
  void theProbeModelRunsAndChecksOutOnTheCpuProvider() throws Exception {
    try (OrtSession.SessionOptions cpuOnly = new OrtSession.SessionOptions()) {
      assertEquals(
          Optional.empty(),
          new CudaProbe(List.of()).runProbe(OrtEnvironment.getEnvironment(), cpuOnly, 0));
    }
  }

  @Test
  void namesTheCudaLibrariesNoLoaderDirectoryHolds() throws Exception {
    Path a = Files.createDirectories(dir.resolve("a"));
    Path b = Files.createDirectories(dir.resolve("b"));
    Files.createFile(a.resolve("libcudart.so.12"));
    Files.createFile(b.resolve("libcublas.so.12"));
    Files.createFile(b.resolve("libcudnn.so.8")); // the wrong major is no help
    CudaProbe probe = new CudaProbe(List.of(a, b));
    assertEquals(
        List.of("libcublasLt.so.12", "libcufft.so.11", "libcurand.so.10", "libcudnn.so.9"),
        probe.missing(CudaProbe.CUDA_LIBRARIES));
  }

  @Test
  void searchesLdLibraryPathThenLdSoConfWithItsIncludesThenTheSystemDirectories() throws Exception {
    Path etc = Files.createDirectories(dir.resolve("etc"));
    Files.createDirectories(etc.resolve("ld.so.conf.d"));
    Files.writeString(
        etc.resolve("ld.so.conf"), "# comment\ninclude ld.so.conf.d/*.conf\n/opt/x\n");
    Files.writeString(etc.resolve("ld.so.conf.d/cuda.conf"), "/usr/local/cuda/lib64 # CUDA\n");
    Files.writeString(etc.resolve("ld.so.conf.d/other.txt"), "/not/a/conf\n");
    List<Path> dirs = CudaProbe.loaderDirs("/first::/second", etc);
    assertEquals(
        List.of(
            Path.of("/first"),
            Path.of("/second"),
            Path.of("/usr/local/cuda/lib64"),
            Path.of("/opt/x"),
            Path.of("/lib/x86_64-linux-gnu")),
        dirs.subList(0, 5));
    assertTrue(!dirs.contains(Path.of("/not/a/conf")));
  }
}
