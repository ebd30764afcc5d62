// Classroom links: `<name>_hide=true` in the URL hides a control, so a teacher can fix a
// setting and leave students the rest (the TensorFlow Playground's *_hide keys, read
// under its names or fcnn's). The names stay in the URL the page writes back.

// fcnn name → the ids of the elements it hides (each with the field around it).
const TARGETS = {
  play: ["play-button"],
  step: ["step-button"],
  reset: ["reset-button"],
  new_weights: ["new-weights-button"],
  regenerate: ["regenerate-button"],
  dataset: ["dataset-grid"],
  upload: ["upload-input"],
  lr: ["lr-select"],
  activation: ["activation-select"],
  regularization: ["regularization-select"],
  reg_rate: ["reg-rate-select"],
  problem: ["problem-type"],
  train_ratio: ["train-ratio-range"],
  noise: ["noise-range"],
  batch_size: ["batch-size-range"],
  classes: ["classes-range"],
  show_test: ["show-test-check"],
  discretize: ["discretize-check"],
  advanced: ["advanced-toggle"],
  hidden: [], // the +/− of layers and neurons: drawn anew with the network (the CSS rule)
};

// The TensorFlow Playground's names for the same controls.
const TF_NAMES = {
  playButton: "play",
  stepButton: "step",
  resetButton: "reset",
  dataRegenButton: "regenerate",
  learningRate: "lr",
  regularizationRate: "reg_rate",
  percTrainData: "train_ratio",
  batchSize: "batch_size",
  showTestData: "show_test",
  numHiddenLayers: "hidden",
  networkShape: "hidden",
};

const TRUE = /^(true|1|yes|on)$/i;

// Takes the `*_hide` keys out of the raw fragment ({key: raw value}); returns the fcnn
// names to hide, sorted, and the names nobody knows.
export function takeHides(raw) {
  const hide = new Set();
  const unknown = [];
  for (const key of Object.keys(raw)) {
    if (!key.endsWith("_hide")) continue;
    const value = decodeURIComponent(raw[key]);
    delete raw[key];
    const name = key.slice(0, -"_hide".length);
    const ours = name in TARGETS ? name : TF_NAMES[name];
    if (!ours) unknown.push(key);
    else if (TRUE.test(value)) hide.add(ours);
  }
  return { hide: [...hide].sort(), unknown };
}

// Hides the controls named in `names` and shows the others again.
export function applyHides(names) {
  const hidden = new Set(names ?? []);
  for (const [name, ids] of Object.entries(TARGETS)) {
    for (const id of ids) {
      const el = document.getElementById(id);
      const box = el?.closest(".setting, .field, .slider, .check, .dataset-grid") ?? el;
      if (box) box.classList.toggle("classroom-hidden", hidden.has(name));
    }
  }
  document.body.classList.toggle("hide-layers", hidden.has("hidden"));
}
