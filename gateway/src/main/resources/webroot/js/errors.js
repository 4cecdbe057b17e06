// The error box: each error shown with its code, its context and the field it blames, until dismissed.
import { $ } from "./session.js";

/** Shows an error until dismissed (or, for background refreshes, until the same error is shown again). */
export function showError(error, context) {
  const box = $("#errors");
  const key = (context || "") + "|" + (error.code || "") + "|" + error.message;
  for (const old of box.children) if (old.dataset.key === key) old.remove();
  const item = document.createElement("div");
  item.className = "error";
  item.dataset.key = key;
  const text = document.createElement("p");
  const code = document.createElement("code");
  code.textContent = error.code || "error";
  text.append(
    code,
    " ",
    (context ? context + ": " : "") + error.message + (error.field ? " [" + error.field + "]" : ""),
  );
  const close = document.createElement("button");
  close.className = "small ghost";
  close.textContent = "×";
  close.setAttribute("aria-label", "Dismiss");
  close.onclick = () => item.remove();
  item.append(text, close);
  box.append(item);
  while (box.children.length > 4) box.firstElementChild.remove();
}
