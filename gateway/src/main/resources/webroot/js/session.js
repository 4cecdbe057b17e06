// The page's session: its key, the models and jobs it knows, its socket; and the API client bound to the key.
import { createApi } from "./api.js";

export const $ = (selector) => document.querySelector(selector);

export const state = {
  key: null,
  models: new Map(), // name -> score model (newest version) as /v1/models gives it
  classifiers: new Map(), // name -> noise-conditional classifier (kind "classifier"), which guides score models
  jobs: new Map(), // jobId -> job view (jobs.js, jobFrom)
  selected: null,
};

let signedOut = () => {};

/** Who hears that the gateway refused the key (a 401 on any request, or the socket closed for policy). */
export function onSignedOut(handler) {
  signedOut = handler;
}

/** Tells that the key was refused, with the gateway's message. */
export function signOut(message) {
  signedOut(message);
}

const client = createApi({
  key: () => state.key,
  onUnauthorized: signOut,
  fetch: (...args) => fetch(...args),
});
export const api = client.request;
export const apiJson = client.json;

/** The model a job ran on (its newest version as listed), or undefined. */
export function modelOf(job) {
  return state.models.get(job.model);
}

/** The data shape of a served model by name; [] for an unknown one. */
export function modelShape(name) {
  const model = state.models.get(name);
  return (model && model.dataShape) || [];
}
