// Links made for the TensorFlow Playground (playground.tensorflow.org/#activation=tanh&
// batchSize=10&dataset=circle&…) open with the same setting: its URL keys and values as
// fcnn's config keys (docs/playground-protocol.md). Its *_hide keys are read before
// (hide.js); TF keys fcnn has no counterpart for (its string seed, cosX / cosY,
// collectStats, hideText) are dropped.

// Keys only a TF link has: one of them makes the fragment a TF link.
const TF_ONLY = ["networkShape", "learningRate", "percTrainData", "regularizationRate", "batchSize", "problem"];

// TF key → fcnn key, for values that carry over as they are.
const SAME_VALUE = {
  activation: "activation",
  batchSize: "batch_size",
  learningRate: "lr",
  regularizationRate: "reg_rate",
  noise: "noise",
  percTrainData: "train_ratio",
  showTestData: "show_test",
  discretize: "discretize",
};

// TF's input checkboxes → fcnn's features, in fcnn's order.
const FEATURES = [
  ["x", "x1"],
  ["y", "x2"],
  ["xSquared", "x1^2"],
  ["ySquared", "x2^2"],
  ["xTimesY", "x1x2"],
  ["sinX", "sin_x1"],
  ["sinY", "sin_x2"],
];

const CLASSIFICATION_SETS = { circle: "circle", xor: "xor", gauss: "gauss", spiral: "spiral" };
const REGRESSION_SETS = { "reg-plane": "plane", "reg-gauss": "multi_gauss" };

export function isTfLink(raw) {
  return TF_ONLY.some((k) => k in raw);
}

// {TF key: raw string} → {fcnn key: raw string}, as readFragment gives them.
export function fromTfLink(raw) {
  const out = {};
  const value = (k) => decodeURIComponent(raw[k]);
  for (const [tf, key] of Object.entries(SAME_VALUE)) if (tf in raw) out[key] = raw[tf];
  if ("networkShape" in raw) out.hidden = raw.networkShape; // "4,2", or "" for none
  if ("regularization" in raw) out.regularization = value("regularization").toLowerCase();
  if ("initZero" in raw && value("initZero") === "true") out.init = "zeros";
  const dataset =
    raw.problem && value("problem") === "regression"
      ? REGRESSION_SETS[raw.regDataset ? value("regDataset") : "reg-plane"]
      : CLASSIFICATION_SETS[raw.dataset ? value("dataset") : "circle"];
  if (dataset) out.dataset = dataset;
  if (FEATURES.some(([tf]) => tf in raw)) {
    out.features = FEATURES.filter(([tf]) => tf in raw && value(tf) === "true")
      .map(([, name]) => encodeURIComponent(name))
      .join(",");
  }
  return out;
}
