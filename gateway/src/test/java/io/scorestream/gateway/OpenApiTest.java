package io.scorestream.gateway;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scorestream.client.ApiClient;
import io.scorestream.client.ApiException;
import io.scorestream.client.api.JobsApi;
import io.scorestream.client.model.GenerateRequest;
import io.scorestream.client.model.Job;
import io.scorestream.client.model.Result;
import io.scorestream.client.model.SamplerSettings;
import io.swagger.v3.core.util.Json;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The OpenAPI document describes every route, and requests that do not fit it are refused naming
 * the field.
 */
@ExtendWith({VertxExtension.class, SharedFleet.class})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Tag("integration")
class OpenApiTest {
  private Gateway gateway;
  private Http http;

  @BeforeAll
  void start(Vertx vertx, Fleet fleet) throws Exception {
    gateway = fleet.gateway();
    http = new Http(vertx, gateway.port());
  }

  @AfterAll
  void stop() {
    if (gateway != null) {
      gateway.close();
    }
  }

  @Test
  void theDocumentIsOpenApi31AndDescribesEveryRoute() throws Exception {
    Http.Answer doc = http.get("/openapi.json", null);
    assertEquals(200, doc.status());
    JsonObject spec = doc.json();
    assertEquals("3.1.0", spec.getString("openapi"));
    JsonObject paths = spec.getJsonObject("paths");
    Map<String, List<String>> routes =
        Map.ofEntries(
            Map.entry("/v1/jobs", List.of("post", "get")),
            Map.entry("/v1/jobs/{id}", List.of("get", "delete")),
            Map.entry("/v1/jobs/{id}/result", List.of("get")),
            Map.entry("/v1/jobs/{id}/events", List.of("get")),
            Map.entry("/v1/stream", List.of("get")),
            Map.entry("/v1/models", List.of("get")),
            Map.entry("/v1/models/{name}/training", List.of("get")),
            Map.entry("/v1/workers", List.of("get")),
            Map.entry("/healthz", List.of("get")),
            Map.entry("/readyz", List.of("get")),
            Map.entry("/metrics", List.of("get")));
    routes.forEach(
        (path, methods) ->
            methods.forEach(
                m ->
                    assertTrue(
                        paths.containsKey(path) && paths.getJsonObject(path).containsKey(m),
                        m + " " + path + " is described")));
    assertEquals(
        "bearer",
        spec.getJsonObject("components")
            .getJsonObject("securitySchemes")
            .getJsonObject("apiKey")
            .getString("scheme"));
  }

  private Http.Answer submit(JsonObject body) throws Exception {
    return http.post("/v1/jobs", Fleet.KEY_A, body.encode());
  }

  @Test
  void aBodyOfTheWrongShapeIsRefusedNamingTheField() throws Exception {
    Map<String, JsonObject> cases =
        Map.of(
            "numSamples", new JsonObject().put("modelName", Fleet.MODEL).put("numSamples", "many"),
            "sampler.steps",
                new JsonObject()
                    .put("modelName", Fleet.MODEL)
                    .put("numSamples", 1)
                    .put("sampler", new JsonObject().put("steps", "ten")),
            "sampler.kind",
                new JsonObject()
                    .put("modelName", Fleet.MODEL)
                    .put("numSamples", 1)
                    .put("sampler", new JsonObject().put("kind", "WARP_DRIVE")),
            "preview.everySteps",
                new JsonObject()
                    .put("modelName", Fleet.MODEL)
                    .put("numSamples", 1)
                    .put("preview", new JsonObject().put("everySteps", true)),
            "seed",
                new JsonObject()
                    .put("modelName", Fleet.MODEL)
                    .put("numSamples", 1)
                    .put("seed", "-5"),
            "modelName", new JsonObject().put("modelName", 42).put("numSamples", 1));
    for (var c : cases.entrySet()) {
      Http.Answer a = submit(c.getValue());
      assertEquals(422, a.status(), c.getKey() + ": " + a.body());
      assertEquals("invalid_request", a.error().getString("code"));
      assertEquals(c.getKey(), a.error().getString("field"), a.body().toString());
      assertTrue(a.error().getString("message").startsWith(c.getKey()), a.body().toString());
    }
    Http.Answer type =
        submit(new JsonObject().put("modelName", Fleet.MODEL).put("numSamples", "many"));
    assertTrue(
        type.error().getString("message").contains("Expected integer"),
        "the rule broken: " + type.body());
  }

  @Test
  void bodiesAreJsonWhateverCurlSaysButNotWhenTheySayOtherwise() throws Exception {
    String body = new JsonObject().put("modelName", Fleet.MODEL).put("numSamples", "many").encode();
    Http.Answer form =
        http.call(
            io.vertx.core.http.HttpMethod.POST,
            "/v1/jobs",
            Fleet.KEY_A,
            body,
            "Content-Type",
            "application/x-www-form-urlencoded");
    assertEquals(422, form.status(), "curl -d's content type is read as JSON: " + form.body());
    Http.Answer xml =
        http.call(
            io.vertx.core.http.HttpMethod.POST,
            "/v1/jobs",
            Fleet.KEY_A,
            "<job/>",
            "Content-Type",
            "text/xml");
    assertEquals(415, xml.status(), xml.body().toString());
    assertEquals("Content-Type", xml.error().getString("field"));
  }

  @Test
  void parametersOfTheWrongShapeAreRefusedNamingTheParameter() throws Exception {
    Http.Answer limit = http.get("/v1/jobs?limit=lots", Fleet.KEY_A);
    assertEquals(400, limit.status(), limit.body().toString());
    assertEquals("limit", limit.error().getString("field"), limit.body().toString());
    Http.Answer tooMany = http.get("/v1/jobs?limit=100000", Fleet.KEY_A);
    assertEquals(400, tooMany.status());
    assertEquals("limit", tooMany.error().getString("field"));
    Http.Answer format = http.get("/v1/jobs/some-job/result?format=gif", Fleet.KEY_A);
    assertEquals(400, format.status(), format.body().toString());
    assertEquals("format", format.error().getString("field"));
    assertEquals(401, http.get("/v1/jobs?limit=lots", null).status(), "the key is checked first");
  }

  @Test
  void theServedDocumentIsTheContractWithTheServerTheClientUsedAndResolvesInAnOutsideParser()
      throws Exception {
    Http.Answer doc = http.get("/openapi.json", null);
    String text = doc.body().toString();
    assertFalse(text.contains("app:///"), "no reference into the validator's own store");
    JsonObject served = doc.json();
    assertEquals(
        "http://127.0.0.1:" + gateway.port(),
        served.getJsonArray("servers").getJsonObject(0).getString("url"));
    Http.Answer proxied =
        http.call(
            HttpMethod.GET,
            "/openapi.json",
            null,
            null,
            "X-Forwarded-Proto",
            "https",
            "X-Forwarded-Host",
            "api.example.com");
    assertEquals(
        "https://api.example.com",
        proxied.json().getJsonArray("servers").getJsonObject(0).getString("url"),
        "behind a proxy, the address its clients used");
    try (var in = OpenApiTest.class.getResourceAsStream("/openapi.json")) {
      JsonObject resource = new JsonObject(new String(in.readAllBytes(), StandardCharsets.UTF_8));
      served.remove("servers");
      assertEquals(
          resource, served, "the document the test client was generated from, plus its server");
    }
    ParseOptions options = new ParseOptions();
    options.setResolve(true);
    options.setResolveFully(true);
    SwaggerParseResult parsed = new OpenAPIV3Parser().readContents(text, null, options);
    assertEquals(List.of(), parsed.getMessages(), "swagger-parser reads it with no message");
    assertEquals(served.getJsonObject("paths").size(), parsed.getOpenAPI().getPaths().size());
    assertEquals(
        Set.of(),
        unresolved(Json.mapper().valueToTree(parsed.getOpenAPI())),
        "every $ref resolved");
  }

  /** The $refs left in a parsed document. */
  private static Set<String> unresolved(com.fasterxml.jackson.databind.JsonNode node) {
    Set<String> refs = new TreeSet<>();
    if (node.isObject() && node.has("$ref")) {
      refs.add(node.get("$ref").asText());
    }
    node.forEach(child -> refs.addAll(unresolved(child)));
    return refs;
  }

  @Test
  void aClientGeneratedFromTheDocumentSubmitsAJobAndReadsItsResult() throws Exception {
    String server =
        http.get("/openapi.json", null)
            .json()
            .getJsonArray("servers")
            .getJsonObject(0)
            .getString("url");
    ApiClient api = new ApiClient();
    api.updateBaseUri(server);
    api.setRequestInterceptor(request -> request.header("Authorization", "Bearer " + Fleet.KEY_A));
    JobsApi jobs = new JobsApi(api);
    Job accepted =
        jobs.submitJob(
            new GenerateRequest()
                .modelName(Fleet.MODEL)
                .numSamples(8)
                .sampler(new SamplerSettings().steps(50)),
            "generated-client-1");
    String id = accepted.getJobId();
    await()
        .atMost(Duration.ofSeconds(90))
        .until(() -> jobs.getJob(id).getStatus() == Job.StatusEnum.SUCCEEDED);
    Result result = jobs.getResult(id, "json");
    assertEquals(List.of(8, 2), result.getShape());
    assertEquals(8, result.getSamples().size());
    ApiException refused =
        assertThrows(
            ApiException.class,
            () -> jobs.submitJob(new GenerateRequest().modelName(Fleet.MODEL).numSamples(0), null));
    assertEquals(422, refused.getCode());
    assertTrue(refused.getResponseBody().contains("numSamples"), refused.getResponseBody());
  }
}
