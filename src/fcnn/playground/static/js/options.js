// Reads the server's `options` object (GET /api/options or `hello`) into what the
// controls need: choice lists, [min, max] limits, steps and presets per config key. The
// server is the only authority on what is allowed; the page keeps nothing but human
// labels for the names it knows (an unknown name is shown as it comes), in the page's
// language (marked N_ here, translated when shown).

import { _, N_ } from "./i18n.js";

// Labels only for names the server offers (tests/test_playground_config.py checks that
// every key here is one of the choices in config.options()); any other name is shown by
// the rule in label().
const LABELS = {
  // data sets
  circle: N_("Circle"), xor: N_("Exclusive or"), gauss: N_("Gaussian"), spiral: N_("Spiral"),
  plane: N_("Plane"), multi_gauss: N_("Multi-Gaussian"), blobs: N_("Blobs"), upload: N_("Upload a CSV"),
  // activations
  identity: N_("Identity"), linear: N_("Linear"), sigmoid: "Sigmoid", tanh: "Tanh", relu: "ReLU",
  leaky_relu: "Leaky ReLU", prelu: "PReLU", elu: "ELU", selu: "SELU", gelu: "GELU",
  silu: "SiLU", softplus: "Softplus", softmax: "Softmax", log_softmax: "Log-softmax",
  maxout: "Maxout",
  // losses, regularisation, optimisers
  cross_entropy: N_("Cross-entropy"), mse: N_("Mean squared error"), none: N_("None"), l1: "L1", l2: "L2",
  sgd: "SGD", momentum: N_("SGD + momentum"), adam: "Adam", rmsprop: "RMSprop",
  // initialisers
  default: N_("Default (PyTorch)"), xavier_uniform: N_("Xavier uniform"),
  xavier_normal: N_("Xavier normal"), kaiming_uniform: N_("Kaiming uniform"),
  kaiming_normal: N_("Kaiming normal"), uniform: N_("Uniform"), normal: N_("Normal"), zeros: N_("Zeros"),
};

const FEATURE_LABELS = {
  x1: "x₁", x2: "x₂", "x1^2": "x₁²", "x2^2": "x₂²", x1x2: "x₁x₂",
  sin_x1: "sin(x₁)", sin_x2: "sin(x₂)",
};

export function label(name) {
  if (name in LABELS) return _(LABELS[name]);
  return String(name).replace(/_/g, " ").replace(/^./, (c) => c.toUpperCase());
}

export function featureLabel(name) {
  return FEATURE_LABELS[name] ?? name;
}

// The server's options (fcnn.playground.config.options()):
//   {keys: {key: {kind, choices | min, max, step?, presets?, min_length?, max_length?,
//                 default, resets}}, defaults, classification_datasets,
//    regression_datasets, multiclass_datasets, domain, grid: {size, size_small},
//    limits: {frame_bytes, upload_bytes, max_abs_weight, max_classes}}
// normalizeOptions() turns it into what the controls need: per key its choices, its
// [min, max] range, its step and its presets.
export function normalizeOptions(raw) {
  raw = raw ?? {};
  const keys = raw.keys ?? {};
  const o = { raw, keys, choices: {}, range: {}, step: {}, presets: {} };
  for (const [key, spec] of Object.entries(keys)) {
    if (Array.isArray(spec.choices)) o.choices[key] = spec.choices;
    if (typeof spec.min === "number" && typeof spec.max === "number") o.range[key] = [spec.min, spec.max];
    if (typeof spec.step === "number") o.step[key] = spec.step;
    if (Array.isArray(spec.presets)) o.presets[key] = spec.presets;
  }
  for (const key of ["dataset", "features", "activation", "loss", "init", "regularization", "optimizer"]) {
    o[key] = o.choices[key] ?? [];
  }
  const hidden = keys.hidden ?? {};
  o.hidden_layers = [hidden.min_length ?? 0, hidden.max_length ?? 6];
  o.neurons = [hidden.min ?? 1, hidden.max ?? 8];
  o.regression = raw.regression_datasets ?? [];
  o.multiclass = raw.multiclass_datasets ?? [];
  o.size = raw.grid?.size ?? 50;
  o.sizeSmall = raw.grid?.size_small ?? 20;
  o.maxUpload = raw.limits?.upload_bytes ?? null;
  o.maxAbsWeight = raw.limits?.max_abs_weight ?? null;
  o.domain = raw.domain ?? [-6, 6];
  return o;
}
