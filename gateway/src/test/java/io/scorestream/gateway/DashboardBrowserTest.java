package io.scorestream.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scorestream.jobs.Times;
import io.scorestream.proto.v1.WorkerHeartbeat;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.junit5.VertxExtension;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard in a real headless Chromium against a real gateway, broker, worker and models: a
 * person submits a job from the page, watches its samples form on the canvas, sees it finish, and
 * sees refusals named plainly. Screenshots go to {@code target/} for people to look at.
 */
@ExtendWith({VertxExtension.class, SharedFleet.class})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Tag("integration")
class DashboardBrowserTest {
  private static final Duration WAIT = Duration.ofSeconds(90);
  private Fleet fleet;
  private Gateway gateway;
  private ChromeDriver browser;
  private WebDriverWait wait;
  private Http http;

  @BeforeAll
  void start(Vertx vertx, Fleet shared) throws Exception {
    fleet = shared;
    gateway = fleet.gateway();
    http = Fleet.ready(vertx, gateway);
    browser = Chromium.start(1400, 900);
    wait = new WebDriverWait(browser, WAIT, Duration.ofMillis(50));
    wait.ignoring(StaleElementReferenceException.class); // rows are redrawn as events arrive
    browser.get(gateway.url() + "/#key=" + Fleet.KEY_A);
    wait.until(d -> d.findElement(By.id("connection")).getText().equals("live"));
    wait.until(d -> new Select(d.findElement(By.id("model"))).getOptions().size() >= 3);
  }

  @AfterEach
  void noScriptErrorWentUncaught() {
    assertEquals(List.of(), Chromium.uncaughtErrors(browser), "the page's console");
  }

  @AfterAll
  void stop() {
    if (browser != null) {
      browser.quit();
    }
    if (gateway != null) {
      gateway.close();
    }
  }

  /** Picks the sampler kind (the form starts on DPM-Solver++). */
  private void sampler(String kind) {
    new Select(browser.findElement(By.id("kind"))).selectByValue(kind);
  }

  private void fill(String id, String value) {
    WebElement field = browser.findElement(By.id(id));
    field.clear();
    field.sendKeys(value);
  }

  private String canvas() {
    return (String)
        ((JavascriptExecutor) browser)
            .executeScript("return document.getElementById('preview-canvas').toDataURL()");
  }

  /**
   * Pixels of a canvas whose RGBA values {@code r, g, b, a} satisfy {@code test}, a JavaScript
   * expression.
   */
  private int pixels(String canvasId, String test) {
    return Integer.parseInt(
        (String)
            ((JavascriptExecutor) browser)
                .executeScript(
                    "const c = document.getElementById(arguments[0]); const ctx = c.getContext('2d');"
                        + " const d = ctx.getImageData(0, 0, c.width, c.height).data; let n = 0;"
                        + " for (let i = 0; i < d.length; i += 4) {"
                        + " const r = d[i], g = d[i + 1], b = d[i + 2], a = d[i + 3];"
                        + " if ("
                        + test
                        + ") n++; } return String(n);",
                    canvasId));
  }

  /** Pixels of a canvas that are drawn and not black. */
  private int lit(String canvasId) {
    return pixels(canvasId, "a > 0 && r + g + b > 60");
  }

  /**
   * Pixels of the preview canvas in the green of final samples (rgba(76,195,138,.8) over the
   * background), as opposed to the blue of previews.
   */
  private int finalPoints() {
    return pixels("preview-canvas", "g > r + 60 && g > b + 25");
  }

  private int frames() {
    return Integer.parseInt(
        browser.findElement(By.id("preview-canvas")).getAttribute("data-frames"));
  }

  /** Waits until the selected job has this status; the text of its row. */
  private String row(String status) {
    return wait.until(
        d ->
            d
                .findElements(
                    By.cssSelector(".job[aria-selected='true'][data-status='" + status + "']"))
                .stream()
                .findFirst()
                .map(WebElement::getText)
                .orElse(null));
  }

  /**
   * Picks a model, waits for its facts to show this shape, picks the PC sampler (whose steps these
   * tests count) and fills samples, steps and the preview cadence.
   */
  private void form(String model, String shape, int samples, int steps, int previewEvery) {
    new Select(browser.findElement(By.id("model"))).selectByValue(model);
    wait.until(d -> d.findElement(By.id("model-facts")).getText().contains(shape));
    sampler("PC");
    fill("samples", String.valueOf(samples));
    fill("steps", String.valueOf(steps));
    fill("preview", String.valueOf(previewEvery));
  }

  private void screenshot(String name) throws Exception {
    Path file = Path.of("target", name);
    Files.createDirectories(file.getParent());
    Files.write(file, browser.getScreenshotAs(OutputType.BYTES));
  }

  /**
   * The fleet table names each worker's device; a worker asked for a GPU that runs on the CPU is
   * marked, with the reason its heartbeat gives on hover.
   */
  @Test
  void fleetTableShowsEachWorkersDeviceAndMarksAGpuWorkerThatFellBackToTheCpu() throws Exception {
    String reason = "CUDA libraries not found on the library path: libcudnn.so.9";
    WorkerHeartbeat beat =
        WorkerHeartbeat.newBuilder()
            .setWorkerId("gpu-node-1")
            .setHost("gpu-node")
            .setDevice("cpu")
            .setDeviceFallback(reason)
            .setMaxBatch(1024)
            .setTime(Times.now())
            .build();
    try (KafkaProducer<String, byte[]> producer = fleet.clients.producer(Map.of())) {
      producer
          .send(new ProducerRecord<>(fleet.names.workers(), beat.getWorkerId(), beat.toByteArray()))
          .get();
    }
    WebElement marked =
        wait.until(
            d ->
                d.findElements(By.cssSelector("#fleet tbody tr")).stream()
                    .filter(r -> r.getText().startsWith("gpu-node-1"))
                    .findFirst()
                    .map(r -> r.findElement(By.cssSelector(".device.fallback")))
                    .orElse(null));
    assertEquals("cpu (GPU unavailable)", marked.getText());
    assertEquals(reason, marked.getAttribute("title"));
    WebElement own =
        wait.until(
            d ->
                d.findElements(By.cssSelector("#fleet tbody tr")).stream()
                    .filter(r -> r.getText().startsWith("gateway-test-worker"))
                    .findFirst()
                    .orElse(null));
    assertEquals("cpu", own.findElement(By.cssSelector(".device")).getText());
  }

  @Test
  void aJobSubmittedFromThePageFormsOnTheCanvasWhileItRunsAndEnds() throws Exception {
    form(Fleet.IMAGES, "1 × 8 × 8", 16, 20000, 10);
    browser.findElement(By.id("submit")).click();
    String running = row("running");
    assertTrue(running.contains(Fleet.IMAGES), running);
    wait.until(d -> frames() >= 1);
    int framesBefore = frames();
    String before = canvas();
    wait.until(d -> frames() > framesBefore + 2 && !canvas().equals(before));
    assertNotEquals(before, canvas(), "the preview canvas changes while the job runs");
    String done = row("succeeded");
    assertTrue(done.contains("png"), "a finished image job offers its PNG grid: " + done);
    int framesAtEnd = frames();
    wait.until(
        d ->
            frames() > framesAtEnd
                || browser.findElement(By.id("viewer-caption")).getText().contains("succeeded"));
    assertTrue(browser.findElement(By.id("viewer-caption")).getText().contains("succeeded"));
    screenshot("dashboard-images.png");
  }

  private String selectedJob() {
    return browser.findElements(By.cssSelector(".job[aria-selected='true']")).stream()
        .findFirst()
        .map(e -> e.getAttribute("data-job-id"))
        .orElse("");
  }

  /**
   * Submits the form and waits until the job it made is selected and has ended well; returns its
   * id.
   */
  private String submitAndFinish() {
    String before = selectedJob();
    browser.findElement(By.id("submit")).click();
    String id =
        wait.until(
            d -> {
              String now = selectedJob();
              return now.isEmpty() || now.equals(before) ? null : now;
            });
    wait.until(
        d ->
            !d.findElements(
                    By.cssSelector(".job[data-job-id='" + id + "'][data-status='succeeded']"))
                .isEmpty());
    return id;
  }

  /** The samples of a finished job as flat rows, from the API's JSON result. */
  private float[][] result(String jobId) throws Exception {
    io.vertx.core.json.JsonArray samples =
        http.get("/v1/jobs/" + jobId + "/result?format=json", Fleet.KEY_A)
            .json()
            .getJsonArray("samples");
    float[][] out = new float[samples.size()][64];
    for (int i = 0; i < samples.size(); i++) {
      io.vertx.core.json.JsonArray rows = samples.getJsonArray(i).getJsonArray(0);
      for (int y = 0; y < 8; y++) {
        for (int x = 0; x < 8; x++) {
          out[i][y * 8 + x] = rows.getJsonArray(y).getFloat(x);
        }
      }
    }
    return out;
  }

  @Test
  void aMaskDrawnOverAFinishedSampleIsFilledInAndTheRestIsKeptExactly() throws Exception {
    Select task = new Select(browser.findElement(By.id("task")));
    try {
      form(Fleet.IMAGES, "1 × 8 × 8", 4, 200, 10);
      task.selectByValue("sample");
      String source = submitAndFinish();
      task.selectByValue("inpaint");
      WebElement mask = browser.findElement(By.id("mask-canvas"));
      assertTrue(mask.isDisplayed(), "the mask canvas shows for an image model");
      browser.findElement(By.id("mask-source")).click();
      wait.until(d -> mask.getAttribute("data-mask").length() == 64);
      // drag across the lower part of the picture, as a person erasing it with the mouse would
      new org.openqa.selenium.interactions.Actions(browser)
          .moveToElement(mask, -100, 40)
          .clickAndHold()
          .moveByOffset(100, 0)
          .moveByOffset(100, 0)
          .moveByOffset(0, 50)
          .moveByOffset(-200, 0)
          .release()
          .perform();
      wait.until(d -> Integer.parseInt(mask.getAttribute("data-unknown")) > 8);
      String drawn = mask.getAttribute("data-mask");
      assertTrue(
          drawn.substring(0, 24).chars().allMatch(c -> c == '1'),
          "the top rows stay known: " + drawn);
      fill("samples", "3");
      fill("particles", "2");
      String inpainted = submitAndFinish();
      screenshot("dashboard-inpainting.png");
      float[] picture = result(source)[0];
      float[][] filled = result(inpainted);
      assertEquals(3, filled.length);
      int changed = 0;
      for (float[] sample : filled) {
        for (int p = 0; p < 64; p++) {
          if (drawn.charAt(p) == '1') {
            assertEquals(picture[p], sample[p], "known pixel " + p + " is kept exactly");
          } else {
            changed += Math.abs(picture[p] - sample[p]) > 1e-3 ? 1 : 0;
          }
        }
      }
      assertTrue(changed > 0, "the erased pixels are drawn anew");
    } finally {
      task.selectByValue("sample");
    }
  }

  @Test
  void theLikelihoodOfAFinishedJobsSamplesIsMeasuredFromItsRowAndShownOnBoth() throws Exception {
    new Select(browser.findElement(By.id("model"))).selectByValue(Fleet.MODEL);
    fill("samples", "32");
    fill("steps", "100");
    fill("preview", "0");
    String source = submitAndFinish();
    By measure =
        By.cssSelector(".job[data-job-id='" + source + "'] button[data-action='likelihood']");
    wait.until(d -> !d.findElements(measure).isEmpty());
    browser.findElement(measure).click();
    By measured = By.cssSelector(".job[data-status='succeeded']");
    String detail =
        wait.until(
            d ->
                d.findElements(measured).stream()
                    .map(WebElement::getText)
                    .filter(t -> t.contains("likelihood") && t.contains("nats"))
                    .findFirst()
                    .orElse(null));
    Matcher m = Pattern.compile("(-?[0-9.]+) \u00b1 ([0-9.]+) nats").matcher(detail);
    assertTrue(m.find(), detail);
    double mean = Double.parseDouble(m.group(1));
    // samples of the fleet's mixture: its entropy is about 1.65 nats and the log-density of one
    // sample has a spread of about 1 nat, so the mean over 32 lies within 1.65 +- 0.7 (4 standard
    // errors) of -1.65
    assertTrue(mean > -2.4 && mean < -0.9, "mean log-likelihood " + mean + " nats: " + detail);
    String sourceRow =
        wait.until(
            d -> {
              String text =
                  d.findElement(By.cssSelector(".job[data-job-id='" + source + "']")).getText();
              return text.contains("nats") ? text : null;
            });
    assertTrue(
        sourceRow.contains(m.group(1)), "the measured job shows its likelihood too: " + sourceRow);
    browser.findElement(By.cssSelector(".job[data-job-id='" + source + "']")).click();
    List<WebElement> each =
        wait.until(
            d -> {
              List<WebElement> items = d.findElements(By.cssSelector("#sample-likelihoods li"));
              return items.size() == 32 ? items : null;
            });
    double sum = 0;
    for (WebElement item : each) {
      String text = item.getAttribute("textContent");
      assertTrue(text.endsWith("nats"), text);
      sum += Double.parseDouble(text.split(" ")[0]);
    }
    // each figure is rounded to 0.01 on the page: the two means differ by two roundings at most
    assertEquals(mean, sum / 32, 0.011, "the listed values are the ones whose mean is shown");
    screenshot("dashboard-likelihood.png");
  }

  /**
   * The page offers the fleet's classifier for the model it fits (and only there), and a job guided
   * by it to class 0 draws every sample from that mode (the fleet's exact classifier at scale 1:
   * Bayes' rule), where the unguided mixture puts 70% in the other.
   */
  @Test
  void aClassifierChosenOnThePageGuidesEverySampleToTheChosenClass() throws Exception {
    new Select(browser.findElement(By.id("model"))).selectByValue(Fleet.IMAGES);
    wait.until(d -> d.findElement(By.id("model-facts")).getText().contains("1 × 8 × 8"));
    assertTrue(
        browser.findElement(By.id("guidance-fields")).getAttribute("hidden") != null,
        "no classifier fits the image model");
    form(Fleet.MODEL, "2", 64, 200, 0);
    wait.until(d -> d.findElement(By.id("guidance-fields")).isDisplayed());
    new Select(browser.findElement(By.id("classifier"))).selectByValue(Fleet.MODES);
    wait.until(
        d ->
            d.findElement(By.id("label")).isDisplayed()
                && d.findElement(By.id("guidance-scale")).isDisplayed());
    fill("label", "0");
    fill("guidance-scale", "1");
    String id = submitAndFinish();
    String detail = browser.findElement(By.cssSelector(".job[data-job-id='" + id + "']")).getText();
    assertTrue(detail.contains("guided by " + Fleet.MODES + " \u00d71"), detail);
    screenshot("dashboard-guidance.png");
    fill("label", ""); // the form as the other tests expect it: no class, no guidance
    new Select(browser.findElement(By.id("classifier"))).selectByValue("");
    io.vertx.core.json.JsonArray samples =
        http.get("/v1/jobs/" + id + "/result?format=json", Fleet.KEY_A)
            .json()
            .getJsonArray("samples");
    assertEquals(64, samples.size());
    for (int i = 0; i < samples.size(); i++) {
      assertTrue(
          samples.getJsonArray(i).getFloat(0) < 0,
          "sample " + i + " lies in mode 0: " + samples.getJsonArray(i));
    }
  }

  /**
   * Pixels of the preview canvas in the colour the page writes each sample's likelihood in
   * (#ffd866).
   */
  private int labelPixels() {
    return Integer.parseInt(
        (String)
            ((JavascriptExecutor) browser)
                .executeScript(
                    "const c = document.getElementById('preview-canvas'); const d = c.getContext('2d')"
                        + ".getImageData(0, 0, c.width, c.height).data; let n = 0; for (let i = 0; i < d.length; i += 4)"
                        + " if (d[i] > 230 && d[i + 1] > 195 && d[i + 1] < 235 && d[i + 2] > 80 && d[i + 2] < 130) n++;"
                        + " return String(n);"));
  }

  @Test
  void anImageJobsMeasuredSamplesCarryTheirOwnValuesOnTheirCells() throws Exception {
    form(Fleet.IMAGES, "1 × 8 × 8", 9, 100, 0);
    String source = submitAndFinish();
    wait.until(
        d ->
            browser.findElement(By.id("viewer-caption")).getText().contains("succeeded")
                && frames() > 0);
    assertEquals(0, labelPixels(), "no values before the samples are measured");
    browser
        .findElement(
            By.cssSelector(".job[data-job-id='" + source + "'] button[data-action='likelihood']"))
        .click();
    wait.until(d -> d.findElements(By.cssSelector("#sample-likelihoods li")).size() == 9);
    wait.until(d -> labelPixels() > 9 * 20);
    for (WebElement item : browser.findElements(By.cssSelector("#sample-likelihoods li"))) {
      assertTrue(
          item.getAttribute("textContent").endsWith("bits/dim"), item.getAttribute("textContent"));
    }
    screenshot("dashboard-image-likelihood.png");
  }

  @Test
  void anUploadedGreyPictureIsColouredKeepingEachPixelsGreyLevel() throws Exception {
    Select task = new Select(browser.findElement(By.id("task")));
    try {
      new Select(browser.findElement(By.id("model"))).selectByValue(Fleet.COLOURS);
      wait.until(d -> d.findElement(By.id("model-facts")).getText().contains("3 × 4 × 4"));
      task.selectByValue("colorize");
      java.awt.image.BufferedImage grey =
          new java.awt.image.BufferedImage(4, 4, java.awt.image.BufferedImage.TYPE_BYTE_GRAY);
      int[] levels = new int[16];
      for (int p = 0; p < 16; p++) {
        levels[p] = 40 + 10 * p;
        grey.getRaster().setSample(p % 4, p / 4, 0, levels[p]);
      }
      Path png = Files.createTempFile("grey", ".png");
      javax.imageio.ImageIO.write(grey, "png", png.toFile());
      browser.findElement(By.id("gray-file")).sendKeys(png.toAbsolutePath().toString());
      wait.until(d -> d.findElement(By.id("gray-canvas")).getAttribute("data-pixels").equals("16"));
      fill("samples", "4");
      fill("steps", "200");
      fill("preview", "10");
      String coloured = submitAndFinish();
      screenshot("dashboard-colorization.png");
      io.vertx.core.json.JsonArray samples =
          http.get("/v1/jobs/" + coloured + "/result?format=json", Fleet.KEY_A)
              .json()
              .getJsonArray("samples");
      assertEquals(4, samples.size());
      for (int s = 0; s < 4; s++) {
        io.vertx.core.json.JsonArray picture = samples.getJsonArray(s);
        for (int p = 0; p < 16; p++) {
          double mean = 0;
          for (int c = 0; c < 3; c++) {
            mean += picture.getJsonArray(c).getJsonArray(p / 4).getDouble(p % 4) / 3;
          }
          assertEquals(
              levels[p] / 255.0,
              mean,
              1e-5,
              "sample " + s + " pixel " + p + " keeps its grey level");
        }
      }
    } finally {
      task.selectByValue("sample");
    }
  }

  @Test
  void aHeldOutEmojiIsColouredByTheShippedColourModelKeepingEachPixelsGreyLevel() throws Exception {
    Select task = new Select(browser.findElement(By.id("task")));
    try {
      new Select(browser.findElement(By.id("model"))).selectByValue(Fleet.EMOJI);
      wait.until(d -> d.findElement(By.id("model-facts")).getText().contains("3 × 32 × 32"));
      task.selectByValue("colorize");
      By examples = By.cssSelector("#gray-examples button.example");
      wait.until(d -> d.findElements(examples).size() == 9);
      WebElement flag = browser.findElements(examples).get(8);
      assertEquals("8", flag.getAttribute("data-label"));
      assertTrue(flag.getAttribute("title").contains("Flags"), flag.getAttribute("title"));
      flag.click();
      wait.until(
          d -> d.findElement(By.id("gray-canvas")).getAttribute("data-pixels").equals("1024"));
      wait.until(d -> d.findElement(By.id("gray-original")).isDisplayed());
      assertEquals(
          "8",
          browser.findElement(By.id("label")).getAttribute("value"),
          "the conditional model is asked for the example's own class");
      fill("samples", "1");
      fill("steps", "100");
      fill("preview", "10");
      String coloured = submitAndFinish();
      screenshot("dashboard-colorization-emoji.png");
      BufferedImage grey =
          ImageIO.read(Path.of("src/main/resources/webroot/examples/emoji/8-grey.png").toFile());
      JsonArray picture =
          http.get("/v1/jobs/" + coloured + "/result?format=json", Fleet.KEY_A)
              .json()
              .getJsonArray("samples")
              .getJsonArray(0);
      for (int p = 0; p < 1024; p++) {
        double mean = 0;
        for (int c = 0; c < 3; c++) {
          mean += picture.getJsonArray(c).getJsonArray(p / 32).getDouble(p % 32) / 3;
        }
        assertEquals(
            grey.getRaster().getSample(p % 32, p / 32, 0) / 255.0,
            mean,
            1e-5,
            "pixel " + p + " keeps its grey level");
      }
    } finally {
      task.selectByValue("sample");
    }
  }

  @Test
  void aWalkBetweenTwoSamplesIsEncodedInterpolatedAndDecodedEndingOnThem() throws Exception {
    form(Fleet.IMAGES, "1 × 8 × 8", 4, 200, 0);
    String source = submitAndFinish();
    By walk = By.cssSelector(".job[data-job-id='" + source + "'] button[data-action='walk']");
    wait.until(d -> !d.findElements(walk).isEmpty());
    browser.findElement(walk).click();
    // the page encodes the two samples, then selects the decoding job it starts from the
    // interpolated codes
    String decoded =
        wait.until(
            d -> {
              String now = selectedJob();
              return now.equals(source)
                      || d.findElement(By.cssSelector(".job[data-job-id='" + now + "']"))
                          .getText()
                          .contains("examples")
                  ? null
                  : now;
            });
    wait.until(
        d ->
            !d.findElements(
                    By.cssSelector(".job[data-job-id='" + decoded + "'][data-status='succeeded']"))
                .isEmpty());
    wait.until(d -> d.findElement(By.id("viewer-caption")).getText().contains(decoded));
    screenshot("dashboard-walk.png");
    float[][] ends = result(source);
    float[][] path = result(decoded);
    assertEquals(8, path.length, "eight pictures on the way");
    for (int p = 0; p < 64; p++) {
      // encode, interpolate and decode end on the two samples within the ODE solver's tolerance
      // (2e-3, as the API)
      assertEquals(ends[0][p], path[0][p], 2e-3, "the walk starts at the first sample, pixel " + p);
      assertEquals(ends[1][p], path[7][p], 2e-3, "and ends at the second, pixel " + p);
    }
  }

  @Test
  void pointsOfATwoDimensionalModelAreDrawnAsAScatterAndTheFinalSamplesReplaceThePreviews()
      throws Exception {
    new Select(browser.findElement(By.id("model"))).selectByValue(Fleet.MODEL);
    assertEquals(
        Boolean.TRUE,
        ((JavascriptExecutor) browser)
            .executeScript(
                "return document.querySelector('#kind option[value=DPM_SOLVER]').defaultSelected"),
        "the form starts on a fast sampler");
    sampler("DPM_SOLVER"); // earlier tests on this page chose others
    fill("steps", "");
    assertFalse(
        browser.findElement(By.cssSelector("#kind option[value='ADAPTIVE']")).isEnabled(),
        "the adaptive sampler is offered only for models with many values per sample");
    fill("samples", "512");
    fill("preview", "5");
    browser
        .findElement(By.id("model"))
        .sendKeys(Keys.chord(Keys.CONTROL, Keys.ENTER)); // submits from the keyboard
    // the selected row becomes this job's once it is submitted (an earlier test's may show before)
    String done =
        wait.until(
            d ->
                d
                    .findElements(
                        By.cssSelector(".job[aria-selected='true'][data-status='succeeded']"))
                    .stream()
                    .map(WebElement::getText)
                    .filter(text -> text.contains("512 samples"))
                    .findFirst()
                    .orElse(null));
    assertTrue(done.contains("31 NFE"), "30 steps and the denoising, shown on the row: " + done);
    wait.until(
        d -> {
          String caption = browser.findElement(By.id("viewer-caption")).getText();
          return caption.contains("succeeded") && caption.contains("31 NFE");
        });
    // the final samples are drawn green over the blue previews, once the scatter has eased to them
    wait.until(d -> finalPoints() > 100);
    screenshot("dashboard-points.png");
  }

  @Test
  void anApiRefusalIsShownNamingTheFieldAndTheFormKeepsWorking() {
    new Select(browser.findElement(By.id("model"))).selectByValue(Fleet.MODEL);
    fill("samples", "0");
    browser.findElement(By.id("submit")).click();
    WebElement error =
        wait.until(
            d ->
                d.findElements(By.cssSelector("#errors .error")).stream()
                    .filter(e -> e.getText().contains("numSamples"))
                    .findFirst()
                    .orElse(null));
    assertTrue(error.getText().contains("invalid"), error.getText());
    assertEquals(
        "samples",
        browser.switchTo().activeElement().getAttribute("id"),
        "the field at fault has focus");
    error.findElement(By.tagName("button")).click();
    wait.until(
        d ->
            d.findElements(By.cssSelector("#errors .error")).stream()
                .noneMatch(e -> e.getText().contains("numSamples")));
  }

  @Test
  void thePageReconnectsByItselfWhenTheGatewayRestartsAndFollowsItsJobToTheEnd() throws Exception {
    new Select(browser.findElement(By.id("model"))).selectByValue(Fleet.MODEL);
    sampler("PC");
    fill("samples", "64");
    fill("steps", "30000");
    fill("preview", "200");
    browser.findElement(By.id("submit")).click();
    row("running");
    int port = gateway.port();
    gateway.close();
    wait.until(d -> d.findElement(By.id("connection")).getText().startsWith("reconnecting"));
    gateway = fleet.gateway(Fleet.FAST_WEBHOOKS, port);
    wait.until(d -> d.findElement(By.id("connection")).getText().equals("live"));
    String done = row("succeeded");
    assertTrue(
        done.contains("step 30000/30000"),
        "the job followed to its end after the restart: " + done);
  }

  @Test
  void aRunningJobIsCancelledFromTheKeyboard() {
    new Select(browser.findElement(By.id("model"))).selectByValue(Fleet.MODEL);
    sampler("PC");
    fill("samples", "64");
    fill("steps", "20000");
    fill("preview", "100");
    browser.findElement(By.id("submit")).click();
    row("running");
    browser.findElement(By.tagName("body")).click();
    browser.findElement(By.tagName("body")).sendKeys("c");
    row("cancelled");
    browser.findElement(By.tagName("body")).sendKeys("?");
    wait.until(d -> d.findElement(By.id("help")).isDisplayed());
    browser.findElement(By.tagName("body")).sendKeys(Keys.ESCAPE);
    wait.until(d -> !d.findElement(By.id("help")).isDisplayed());
  }

  @Test
  void aModelsTrainingCurveIsDrawnBesideItAndAModelWithoutOneShowsNone() throws Exception {
    fleet.publishCurve(Fleet.MODEL, 5000);
    new Select(browser.findElement(By.id("model"))).selectByValue(Fleet.IMAGES);
    new Select(browser.findElement(By.id("model"))).selectByValue(Fleet.MODEL);
    WebElement canvas = browser.findElement(By.id("training-canvas"));
    wait.until(
        d ->
            browser.findElement(By.id("training")).isDisplayed()
                && "50"
                    .equals(
                        canvas.getAttribute(
                            "data-points"))); // refreshed every 10 s until all 50 have arrived
    String caption = browser.findElement(By.id("training-caption")).getText();
    assertTrue(
        caption.contains("loss 0.0283 at step 5000") && caption.contains("sliced W1 0.0200"),
        caption);
    int drawn = lit("training-canvas");
    assertTrue(drawn > 200, "the curve and its dots are drawn: " + drawn + " pixels");
    screenshot("dashboard-training.png");
    new Select(browser.findElement(By.id("model"))).selectByValue(Fleet.IMAGES);
    wait.until(d -> !browser.findElement(By.id("training")).isDisplayed());
  }

  @Test
  void theShippedDigitModelDrawsEveryDigitInTurnWhenNoClassIsGiven() throws Exception {
    new Select(browser.findElement(By.id("model"))).selectByValue(Fleet.DIGITS);
    wait.until(d -> d.findElement(By.id("model-facts")).getText().contains("10"));
    assertTrue(
        browser.findElement(By.id("label-field")).isDisplayed(),
        "a conditional model asks for a class");
    fill("label", "");
    fill("samples", "10");
    fill("steps", "150");
    fill("preview", "0");
    browser.findElement(By.id("submit")).click();
    wait.until(
        d ->
            row("succeeded")
                .contains(Fleet.DIGITS)); // refused without labels, it would fail instead
    wait.until(d -> browser.findElement(By.id("viewer-caption")).getText().contains("succeeded"));
    wait.until(d -> lit("preview-canvas") > 2000); // ten digits, white on black
    screenshot("dashboard-digits.png");
  }
}
