// The data-set picker: one button per data set the server offers (the upload button
// opens the file chooser), each with a thumbnail of the server's own sample of that set.

import { $, apiUrl, app, sendConfig } from "./page.js";
import { drawThumbnail } from "./heatmap.js";
import { language } from "./i18n.js";
import { label } from "./options.js";

function shortName(name) {
  return name.replace(/_/g, "-");
}

export function buildDatasetGrid() {
  const grid = $("dataset-grid");
  grid.textContent = "";
  for (const name of app.options.dataset) {
    const b = document.createElement("button");
    b.type = "button";
    b.className = "dataset";
    b.dataset.dataset = name;
    b.setAttribute("data-testid", `dataset-${name}`);
    b.id = `dataset-${name}`;
    b.setAttribute("role", "radio");
    b.title = label(name);
    b.setAttribute("aria-label", label(name));
    if (name === "upload") {
      const i = document.createElement("span");
      i.className = "icon icon-upload";
      b.appendChild(i);
      b.classList.add("upload");
    } else {
      const c = document.createElement("canvas");
      b.appendChild(c);
    }
    const cap = document.createElement("span");
    cap.className = "caption";
    // In English the caption is the set's key, as in TensorFlow Playground links; in
    // another language its name there (the key stays in the link and the tooltip).
    cap.textContent = language() === "en" ? shortName(name) : label(name);
    if (language() !== "en") b.title = `${label(name)} (${shortName(name)})`;
    b.appendChild(cap);
    b.addEventListener("click", () => {
      if (name === "upload") $("upload-input").click();
      else if (app.config?.dataset !== name) sendConfig({ dataset: name });
    });
    grid.appendChild(b);
  }
  thumbnails.shown = null; // new canvases: draw them
  if (app.config) requestAnimationFrame(() => drawThumbnails(app.config.classes));
}

// The data-set buttons show the server's own sample of each set (GET /api/thumbnails),
// fetched once per class count (blobs and spiral change with it).
export const thumbnails = { cache: new Map(), shown: null, drawn: null };
export async function drawThumbnails(classes) {
  if (thumbnails.shown === classes) return;
  thumbnails.shown = classes;
  let sample = thumbnails.cache.get(classes);
  if (!sample) {
    try {
      const res = await fetch(`${apiUrl("api/thumbnails")}?classes=${encodeURIComponent(classes)}`);
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      sample = await res.json();
    } catch {
      thumbnails.shown = null; // try again on the next render
      return;
    }
    thumbnails.cache.set(classes, sample);
  }
  if (thumbnails.shown !== classes) return; // the class count changed meanwhile
  for (const c of $("dataset-grid").querySelectorAll("canvas")) {
    drawThumbnail(c, sample.datasets?.[c.parentElement.dataset.dataset], sample.domain);
  }
  thumbnails.drawn = sample;
}
