// The gateway's HTTP API as the dashboard calls it: JSON in, JSON (or a blob) out, errors as ApiError naming the
// gateway's code and the field it blames. Pure of the page: the key, the fetch function and what to do on a 401
// are given.

/** An error the gateway answered (status > 0) or a request that found no gateway (status 0). */
export class ApiError extends Error {
  constructor(status, code, message, field) {
    super(message);
    this.status = status;
    this.code = code;
    this.field = field;
  }
}

/**
 * A client over `fetch`: `request` resolves to the Response (null for 204) or rejects with an ApiError; `json`
 * resolves to the parsed body. `key()` gives the bearer key at each call; `onUnauthorized(message)` hears of a 401.
 */
export function createApi({ key, onUnauthorized = () => {}, fetch = globalThis.fetch }) {
  async function request(method, path, body) {
    const headers = { Authorization: "Bearer " + key() };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    let response;
    try {
      response = await fetch(path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (e) {
      throw new ApiError(0, "unreachable", "the gateway did not answer (" + e.message + ")");
    }
    if (response.ok) {
      return response.status === 204 ? null : response;
    }
    let error = { code: "http_" + response.status, message: response.statusText };
    try {
      error = (await response.json()).error || error;
    } catch (e) {
      /* not JSON: keep the status line */
    }
    if (response.status === 401) onUnauthorized(error.message);
    const retry = response.headers.get("Retry-After");
    throw new ApiError(
      response.status,
      error.code,
      error.message + (retry ? " (retry in " + retry + " s)" : ""),
      error.field,
    );
  }

  async function json(method, path, body) {
    const response = await request(method, path, body);
    return response === null ? null : response.json();
  }

  return { request, json };
}

/** The path of a job's result in a format (json, npy, png). */
export function resultPath(jobId, format) {
  return "/v1/jobs/" + encodeURIComponent(jobId) + "/result?format=" + format;
}
