import { test } from "node:test";
import assert from "node:assert/strict";
import { ApiError, createApi, resultPath } from "../../main/resources/webroot/js/api.js";

/** A fetch that records its calls and answers with the given Response (or throws the given error). */
function fetchAnswering(answer) {
  const calls = [];
  const fetch = async (path, init) => {
    calls.push({ path, init });
    if (answer instanceof Error) throw answer;
    return answer;
  };
  return { calls, fetch };
}

test("sends the bearer key and a JSON body, and parses the JSON answer", async () => {
  const { calls, fetch } = fetchAnswering(Response.json({ jobId: "j1" }, { status: 201 }));
  const api = createApi({ key: () => "ss_k", fetch });
  assert.deepEqual(await api.json("POST", "/v1/jobs", { numSamples: 2 }), { jobId: "j1" });
  assert.equal(calls[0].init.headers.Authorization, "Bearer ss_k");
  assert.equal(calls[0].init.headers["Content-Type"], "application/json");
  assert.equal(calls[0].init.body, '{"numSamples":2}');
});

test("a request without a body sends no content type", async () => {
  const { calls, fetch } = fetchAnswering(Response.json({ jobs: [] }));
  await createApi({ key: () => "k", fetch }).json("GET", "/v1/jobs");
  assert.equal(calls[0].init.headers["Content-Type"], undefined);
  assert.equal(calls[0].init.body, undefined);
});

test("a 204 answer is null", async () => {
  const { fetch } = fetchAnswering(new Response(null, { status: 204 }));
  assert.equal(await createApi({ key: () => "k", fetch }).json("DELETE", "/v1/jobs/j"), null);
});

test("a refusal becomes an ApiError with the gateway's code, message and field", async () => {
  const body = {
    error: { code: "invalid_argument", message: "snr must be > 0", field: "sampler.snr" },
  };
  const { fetch } = fetchAnswering(Response.json(body, { status: 400 }));
  await assert.rejects(createApi({ key: () => "k", fetch }).json("POST", "/v1/jobs", {}), (e) => {
    assert.ok(e instanceof ApiError);
    assert.equal(e.status, 400);
    assert.equal(e.code, "invalid_argument");
    assert.equal(e.message, "snr must be > 0");
    assert.equal(e.field, "sampler.snr");
    return true;
  });
});

test("a throttled answer says when to retry", async () => {
  const body = { error: { code: "rate_limited", message: "too many jobs" } };
  const headers = { "Retry-After": "3" };
  const { fetch } = fetchAnswering(Response.json(body, { status: 429, headers }));
  await assert.rejects(createApi({ key: () => "k", fetch }).json("GET", "/v1/jobs"), {
    message: "too many jobs (retry in 3 s)",
  });
});

test("an answer that is not JSON keeps its status line", async () => {
  const { fetch } = fetchAnswering(
    new Response("<html>", { status: 502, statusText: "Bad Gateway" }),
  );
  await assert.rejects(createApi({ key: () => "k", fetch }).json("GET", "/v1/jobs"), {
    code: "http_502",
    message: "Bad Gateway",
  });
});

test("a 401 tells the session, with the gateway's message", async () => {
  const heard = [];
  const body = { error: { code: "unauthorized", message: "unknown key" } };
  const { fetch } = fetchAnswering(Response.json(body, { status: 401 }));
  const api = createApi({ key: () => "k", fetch, onUnauthorized: (m) => heard.push(m) });
  await assert.rejects(api.json("GET", "/v1/jobs"), { status: 401 });
  assert.deepEqual(heard, ["unknown key"]);
});

test("a gateway that does not answer is an error of status 0", async () => {
  const { fetch } = fetchAnswering(new TypeError("Failed to fetch"));
  await assert.rejects(createApi({ key: () => "k", fetch }).json("GET", "/v1/jobs"), {
    status: 0,
    code: "unreachable",
    message: "the gateway did not answer (Failed to fetch)",
  });
});

test("result paths escape the job id", () => {
  assert.equal(resultPath("a/b c", "npy"), "/v1/jobs/a%2Fb%20c/result?format=npy");
});
