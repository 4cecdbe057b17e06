package io.scorestream.gateway;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;

/**
 * Debian's headless Chromium under its own chromedriver, for the dashboard's browser tests:
 * installed with apt when missing, driven by plain WebDriver (no DevTools protocol, no driver
 * download).
 */
final class Chromium {
  private static final Path BROWSER = Path.of("/usr/bin/chromium");
  private static final Path DRIVER = Path.of("/usr/bin/chromedriver");

  private Chromium() {}

  /** A headless browser with a window of the given size. */
  static ChromeDriver start(int width, int height) throws IOException, InterruptedException {
    installIfMissing();
    ChromeOptions options = new ChromeOptions();
    options.setBinary(BROWSER.toFile());
    options.addArguments(
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--window-size=" + width + "," + height,
        "--force-device-scale-factor=1");
    LoggingPreferences logs = new LoggingPreferences();
    logs.enable(LogType.BROWSER, Level.ALL); // the page's console, read by uncaughtErrors
    options.setCapability(ChromeOptions.LOGGING_PREFS, logs);
    ChromeDriverService service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(DRIVER.toFile())
            .usingAnyFreePort()
            .withTimeout(Duration.ofSeconds(60))
            .build();
    return new ChromeDriver(service, options);
  }

  /**
   * The errors the page's scripts threw and nobody caught (exceptions in handlers, rejected
   * promises) since the last call; failed requests, which the page shows itself, are not among
   * them.
   */
  static List<String> uncaughtErrors(WebDriver browser) {
    return browser.manage().logs().get(LogType.BROWSER).getAll().stream()
        .filter(entry -> entry.getLevel().equals(Level.SEVERE))
        .map(LogEntry::getMessage)
        .filter(message -> message.contains("Uncaught"))
        .toList();
  }

  private static void installIfMissing() throws IOException, InterruptedException {
    if (Files.isExecutable(BROWSER) && Files.isExecutable(DRIVER)) {
      return;
    }
    List<String> sudo =
        "root".equals(System.getProperty("user.name")) ? List.of() : List.of("sudo", "-n");
    run(sudo, "apt-get", "install", "-y", "--no-install-recommends", "chromium", "chromium-driver");
    if (!Files.isExecutable(BROWSER) || !Files.isExecutable(DRIVER)) {
      run(sudo, "apt-get", "update");
      run(
          sudo,
          "apt-get",
          "install",
          "-y",
          "--no-install-recommends",
          "chromium",
          "chromium-driver");
    }
    if (!Files.isExecutable(BROWSER) || !Files.isExecutable(DRIVER)) {
      throw new IllegalStateException(
          "the browser tests need Debian's chromium and chromium-driver ("
              + BROWSER
              + ", "
              + DRIVER
              + "), and installing them with apt-get failed: see the output above");
    }
  }

  private static void run(List<String> prefix, String... command)
      throws IOException, InterruptedException {
    List<String> all = new ArrayList<>(prefix);
    all.addAll(List.of(command));
    Process p = new ProcessBuilder(all).inheritIO().redirectInput(new File("/dev/null")).start();
    if (!p.waitFor(15, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new IllegalStateException(String.join(" ", all) + " took over 15 minutes");
    }
  }
}
