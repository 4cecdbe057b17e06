// The event socket: one WebSocket at /v1/stream for every followed job's events, re-opened with back-off, resuming
// each job from the last event the page saw.
import { parseFrame, nextRetry, streamUrl } from "./events.js";
import { FINAL, applyEvent, upsert } from "./jobs.js";
import { previewPoints } from "./tensors.js";
import { $, state, signOut } from "./session.js";
import { showError } from "./errors.js";
import { renderJobs } from "./joblist.js";
import { loadResult } from "./results.js";
import * as viewer from "./viewer.js";

const MAX_FOLLOWED = 50; // the gateway's limit of subscriptions per socket

let socket = null;
let open = false;
let followed = new Set(); // jobs subscribed on the current socket
let retryMs = 1000;

/** Opens (or re-opens) the socket with the session's key and follows every job that has not ended. */
export function connect() {
  if (!state.key) return;
  if (socket) socket.close();
  const opened = new WebSocket(streamUrl(location));
  opened.binaryType = "arraybuffer";
  socket = opened;
  followed = new Set();
  setConnection("wait", "connecting…");
  opened.onopen = () => {
    opened.send(JSON.stringify({ op: "auth", apiKey: state.key }));
    open = true;
    retryMs = 1000;
    setConnection("live", "live");
    for (const job of state.jobs.values()) if (!FINAL.has(job.status)) follow(job.id);
  };
  opened.onmessage = (frame) => {
    const { message, png } = parseFrame(frame.data);
    onEvent(message, png && new Blob([png], { type: "image/png" }));
  };
  opened.onclose = (event) => {
    if (socket !== opened) return;
    open = false;
    if (event.code === 1008) {
      signOut(event.reason);
      return;
    }
    setConnection("wait", "reconnecting in " + Math.round(retryMs / 1000) + " s…");
    setTimeout(() => socket === opened && connect(), retryMs);
    retryMs = nextRetry(retryMs);
  };
}

/** Closes the socket for good (until the next connect). */
export function disconnect(text) {
  setConnection("off", text);
  const closing = socket;
  socket = null;
  open = false;
  if (closing) closing.close();
}

function setConnection(kind, text) {
  const badge = $("#connection");
  badge.className = "badge " + kind;
  badge.textContent = text;
}

/** Subscribes to a job's events (from the last one seen), once per socket, up to the gateway's limit. */
export function follow(jobId) {
  if (!open || followed.has(jobId) || followed.size >= MAX_FOLLOWED) return;
  const job = state.jobs.get(jobId);
  const message = { op: "subscribe", jobId };
  if (job && job.lastEventId) message.lastEventId = job.lastEventId;
  followed.add(jobId);
  socket.send(JSON.stringify(message));
}

function onEvent(message, png) {
  const job = state.jobs.get(message.jobId);
  if (message.event === "error") {
    if (message.jobId) followed.delete(message.jobId);
    if (message.error) showError(message.error, "stream");
    if (message.data) showError({ code: "stream", message: message.data.message }, message.jobId);
    return;
  }
  if (message.event === "behind") return; // the socket is being closed; reconnecting resumes from lastEventId
  if (!job) return;
  if (message.event === "end" || message.event === "state") {
    followed.delete(job.id);
    if (message.event === "state" && upsert(state.jobs, message.data)) renderJobs();
    return;
  }
  const ended = applyEvent(job, message, png ? null : previewPoints);
  if (png) {
    createImageBitmap(png).then((image) => {
      job.preview = { image };
      if (state.selected === job.id) viewer.show(job);
    });
  }
  if (ended) followed.delete(job.id);
  if (message.event === "completed") loadResult(job);
  if (message.event === "failed" && state.selected === job.id)
    showError({ code: job.failure.code, message: job.failure.reason }, job.id);
  renderJobs();
  if (state.selected === job.id) viewer.show(job);
}
