// The ScoreStream dashboard: one page over the gateway's API (fetch for requests, one WebSocket at /v1/stream for
// every followed job's events). ES modules by concern, no framework, no build step: what the gateway serves is what
// runs. This module wires them: the API key, the keyboard, the periodic refreshes.
import { FINAL } from "./jobs.js";
import { $, onSignedOut, state } from "./session.js";
import { showError } from "./errors.js";
import { connect, disconnect } from "./stream.js";
import { cancel, download, moveSelection, refreshJobs, select } from "./joblist.js";
import { refreshFleet } from "./fleet.js";
import { refreshTraining } from "./training.js";
import * as colorize from "./colorize.js";
import * as form from "./form.js";
import * as inpaint from "./inpaint.js";

const KEY_STORE = "scorestream.apiKey";

function useKey(key) {
  state.key = key;
  localStorage.setItem(KEY_STORE, key);
  $("#api-key").value = "";
  $("#api-key").placeholder = "key set (…" + key.slice(-4) + ")";
  connect();
  form.refreshModels();
  refreshJobs();
  refreshFleet();
}

function signedOut(message) {
  state.key = null;
  localStorage.removeItem(KEY_STORE);
  disconnect("signed out");
  $("#api-key").placeholder = "ss_…";
  $("#api-key").focus();
  if (message) showError({ code: "unauthorized", message });
}

function initialKey() {
  const hash = new URLSearchParams(location.hash.slice(1));
  if (hash.get("key")) {
    history.replaceState(null, "", location.pathname + location.search); // keep the key out of the history
    return hash.get("key");
  }
  return localStorage.getItem(KEY_STORE);
}

function onKey(event) {
  const typing = ["INPUT", "SELECT", "TEXTAREA"].includes(document.activeElement.tagName);
  if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
    event.preventDefault();
    form.submitJob();
    return;
  }
  if (typing || event.ctrlKey || event.metaKey || event.altKey || $("#help").open) return;
  const job = state.jobs.get(state.selected);
  switch (event.key) {
    case "?":
      $("#help").showModal();
      break;
    case "n":
      event.preventDefault();
      $("#model").focus();
      break;
    case "j":
      moveSelection(1);
      break;
    case "k":
      moveSelection(-1);
      break;
    case "c":
      if (job && !FINAL.has(job.status)) cancel(job.id);
      break;
    case "d":
      if (job && job.status === "SUCCEEDED") download(job.id, "npy");
      break;
    case "Enter":
      if (document.activeElement.dataset.jobId) select(document.activeElement.dataset.jobId);
      break;
    default:
      return;
  }
}

function start() {
  onSignedOut(signedOut);
  form.init();
  inpaint.init();
  colorize.init();
  $("#key-form").onsubmit = (event) => {
    event.preventDefault();
    const key = $("#api-key").value.trim();
    if (key) useKey(key);
  };
  $("#help-button").onclick = () => $("#help").showModal();
  document.addEventListener("keydown", onKey);
  setInterval(form.refreshModels, 10000);
  setInterval(refreshJobs, 5000);
  setInterval(refreshFleet, 3000);
  setInterval(refreshTraining, 10000);
  const key = initialKey();
  if (key) {
    useKey(key);
  } else {
    $("#api-key").focus();
  }
}

start();
