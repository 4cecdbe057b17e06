package io.scorestream.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code dev} killed with -9 and started again on the same data directory comes back on the same
 * address: a job finished before the restart is found by {@code watch} with its result, and a
 * watcher that was following a running job reconnects and sees the job run again to its end.
 */
class RestartIT {
  @TempDir Path dir;

  private static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0, 0, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  @Test
  void jobsAndWatchersSurviveAKilledAndRestartedDev() throws Exception {
    Cli cli = new Cli(dir);
    String data = dir.resolve("data").toString();
    Cli.Dev first =
        cli.dev(
            dir.resolve("dev-1.log"),
            "--data-dir",
            data,
            "--port",
            Integer.toString(freePort()),
            "--no-trainer"); // jobs and watchers are what restart here
    Process watcher = null;
    try {
      Cli.Run before =
          cli.run(
              "submit",
              "--bootstrap-servers",
              first.bootstrap(),
              "--model",
              "gmm-vp",
              "--samples",
              "32",
              "--steps",
              "100",
              "--job-id",
              "before-restart",
              "--watch",
              "--out",
              "before.npy");
      assertEquals(0, before.code(), before.err());
      Path watched = dir.resolve("watcher.log");
      watcher =
          cli.command(
                  "submit",
                  "--bootstrap-servers",
                  first.bootstrap(),
                  "--model",
                  "gmm-ve",
                  "--samples",
                  "2",
                  "--steps",
                  "490000",
                  "--job-id",
                  "across-restart",
                  "--watch",
                  "--out",
                  "across.npy")
              .redirectErrorStream(true)
              .redirectOutput(watched.toFile())
              .start();
      Cli.awaitOutput(
          "the job started",
          Duration.ofSeconds(60),
          watcher,
          watched,
          o -> o.contains("started on"));
      first.process().destroyForcibly(); // kill -9: nothing is flushed or committed on the way out
      assertTrue(first.process().waitFor(30, TimeUnit.SECONDS));

      Cli.Dev second = cli.dev(dir.resolve("dev-2.log"), "--data-dir", data, "--no-trainer");
      try {
        assertEquals(
            first.bootstrap(),
            second.bootstrap(),
            "the same address after a restart: " + second.output());
        Cli.Run watch =
            cli.run(
                "watch",
                "--bootstrap-servers",
                second.bootstrap(),
                "before-restart",
                "--out",
                "after.npy");
        assertEquals(0, watch.code(), watch.err());
        assertTrue(watch.err().contains("job before-restart completed"), watch.err());
        assertArrayEquals(
            Files.readAllBytes(dir.resolve("before.npy")),
            Files.readAllBytes(dir.resolve("after.npy")),
            "watch writes the result the job had");
        assertTrue(
            watcher.waitFor(120, TimeUnit.SECONDS),
            "the watcher ends: " + Files.readString(watched));
        String log = Files.readString(watched);
        assertEquals(0, watcher.exitValue(), log);
        assertTrue(log.contains("attempt 2") && log.contains("wrote 2 samples to across.npy"), log);
      } finally {
        second.process().destroy();
        second.process().waitFor(60, TimeUnit.SECONDS);
      }
    } finally {
      if (watcher != null) {
        watcher.destroyForcibly();
      }
      first.process().destroyForcibly();
    }
  }
}
