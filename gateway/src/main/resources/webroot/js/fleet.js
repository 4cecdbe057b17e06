// The fleet table: each live worker's models, device, jobs, samples per second and batch occupancy (GET /v1/workers).
import { $, apiJson, state } from "./session.js";
import { showError } from "./errors.js";

function cell(...content) {
  const td = document.createElement("td");
  td.append(...content);
  return td;
}

function row(w) {
  const tr = document.createElement("tr");
  const models = document.createElement("span");
  models.className = "models";
  models.textContent = (w.models || []).map((m) => m.name + ":" + m.version).join(", ");
  const occupied = Math.round(100 * (w.batchOccupancy || 0)) + "%";
  const bar = document.createElement("span");
  bar.className = "occupancy";
  bar.title = occupied + " of the batch filled";
  const fill = document.createElement("span");
  fill.style.width = occupied;
  bar.append(fill);
  const device = document.createElement("span");
  device.className = w.deviceFallback ? "device fallback" : "device";
  device.textContent = (w.device || "cpu") + (w.deviceFallback ? " (GPU unavailable)" : "");
  if (w.deviceFallback) device.title = w.deviceFallback;
  tr.append(
    cell(w.workerId, models),
    cell(device),
    cell((w.activeJobs || 0) + " run · " + (w.queuedJobs || 0) + " wait"),
    cell(Number(w.samplesPerSecond || 0).toFixed(1)),
    cell(bar),
  );
  return tr;
}

export async function refreshFleet() {
  if (!state.key) return;
  try {
    const { workers } = await apiJson("GET", "/v1/workers");
    const rows = workers.map(row);
    if (!rows.length) {
      const tr = document.createElement("tr");
      const td = cell("no live worker");
      td.colSpan = 5;
      tr.append(td);
      rows.push(tr);
    }
    $("#fleet tbody").replaceChildren(...rows);
  } catch (e) {
    showError(e, "fleet");
  }
}
