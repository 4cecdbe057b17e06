// The selected model's training curve: loss (a line) and checkpoint quality (dots), each on its own log scale,
// against the step; hidden for a model with none.
import { logScale, quality, stepScale, trainingCaption } from "./plot.js";
import { $, apiJson, state } from "./session.js";
import { showError } from "./errors.js";

const PAD = 6; // pixels kept clear round the plot

/** Fetches the selected model's training curve and draws it; a model with none hides the figure. */
export async function refreshTraining() {
  const name = $("#model").value;
  if (!state.key || !name) {
    $("#training").hidden = true;
    return;
  }
  try {
    const { points } = await apiJson("GET", "/v1/models/" + encodeURIComponent(name) + "/training");
    if ($("#model").value !== name) return;
    draw(points);
    $("#training").hidden = false;
  } catch (e) {
    if (e.status === 404) {
      $("#training").hidden = true;
    } else {
      showError(e, "training");
    }
  }
}

function draw(points) {
  const canvas = $("#training-canvas");
  const g = canvas.getContext("2d");
  const w = canvas.width;
  const h = canvas.height;
  g.clearRect(0, 0, w, h);
  canvas.dataset.points = String(points.length);
  const losses = points.filter((p) => p.loss > 0);
  const measured = points.filter((p) => quality(p) > 0);
  const x = stepScale(
    points.map((p) => p.step),
    PAD,
    w - PAD,
  );
  const style = getComputedStyle(document.documentElement);
  if (losses.length) {
    const y = logScale(
      losses.map((p) => p.loss),
      h - PAD,
      PAD,
    );
    g.strokeStyle = style.getPropertyValue("--accent");
    g.lineWidth = 1.5;
    g.beginPath();
    losses.forEach((p, i) => (i ? g.lineTo(x(p.step), y(p.loss)) : g.moveTo(x(p.step), y(p.loss))));
    g.stroke();
  }
  if (measured.length) {
    const y = logScale(measured.map(quality), h - PAD, PAD);
    g.fillStyle = style.getPropertyValue("--ok");
    for (const p of measured) {
      g.beginPath();
      g.arc(x(p.step), y(quality(p)), 3, 0, 2 * Math.PI);
      g.fill();
    }
  }
  const caption = $("#training-caption");
  caption.replaceChildren();
  const text = trainingCaption(points);
  if (text.loss) {
    const loss = document.createElement("span");
    loss.className = "loss";
    loss.textContent = text.loss;
    caption.append(loss);
  }
  if (text.quality) {
    const q = document.createElement("span");
    q.className = "quality";
    q.textContent = text.quality;
    caption.append(document.createTextNode(" · "), q);
  }
}
