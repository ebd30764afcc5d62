// The guided lessons (issue #16, "Learn by guided steps"): each a link `#lesson=<name>`,
// a setting to start from, and a sequence of steps. A step is done when its `done(c, s)`
// holds for the config the server last echoed (`c`) and its last `state` (`s`); the
// lesson's goal is its last step. Goals read only what the server sends (test loss,
// the neurons' `dead` flags, the epoch), never the page's own guesses. The numbers were
// measured on fcnn's sessions (seed 0): each goal is reached within a few hundred epochs
// by the fix the step asks for, and not without it.
// The texts are marked N_ here and translated by lessons.js where they are shown.

import { N_ } from "./i18n.js";

const RELUS = ["relu", "leaky_relu", "prelu", "elu", "selu", "gelu", "silu", "softplus"];
const isRelu = (c) => RELUS.includes(c.activation);
const onlyXY = (c) => c.features.length === 2 && c.features.includes("x1") && c.features.includes("x2");
const loss = (s) => (Number.isFinite(s?.test_loss) ? s.test_loss : Infinity);
const epoch = (s) => s?.epoch ?? 0;
const deadUnits = (s) => (s?.neurons ?? []).slice(1).flat().filter((n) => n.dead).length;

// What every lesson starts from before its own keys: nothing left over from before.
export const BASE = {
  features: ["x1", "x2"], noise: 0, train_ratio: 50, n_points: 500, seed: 0, init_seed: 0,
  loss: "cross_entropy", init: "xavier_uniform", init_scale: 1, batchnorm: false, dropout: 0, max_norm: 0,
  regularization: "none", reg_rate: 0, optimizer: "sgd", batch_size: 10, classes: 2,
  stop_epoch: 0, stop_test_loss: 0,
};

export const LESSONS = [
  {
    name: "spiral",
    title: N_("The spiral from x1 and x2 alone"),
    about: N_("A network only sees the features it is given. With x1, x2 alone, its hidden layers must build the spiral's shape themselves."),
    start: { dataset: "spiral", hidden: [4, 2], activation: "tanh", lr: 0.03 },
    steps: [
      {
        text: N_("Press play. Two small hidden layers on x1, x2 cannot follow the arms: the boundary stays almost straight."),
        hint: N_("Watch the test loss: it hardly moves below 0.6."),
        done: (c, s) => c.dataset === "spiral" && epoch(s) >= 100,
      },
      {
        text: N_("Keep only x1 and x2 as features, and make the network deeper and wider until the test loss falls below 0.15."),
        hint: N_("Three hidden layers of 8 ReLU units learn it in about 300 epochs; the Adam optimiser at learning rate 0.01 is faster."),
        done: (c, s) => c.dataset === "spiral" && onlyXY(c) && loss(s) < 0.15,
      },
    ],
  },
  {
    name: "dead_relu",
    title: N_("Dead ReLUs"),
    about: N_("A ReLU unit whose input is negative on every point outputs 0 and gets no gradient: it never learns again. A too-large learning rate kills many at once."),
    start: { dataset: "circle", hidden: [8, 8], activation: "relu", lr: 0.03 },
    steps: [
      {
        text: N_("Set the learning rate to 3 or more."),
        hint: N_("The learning rate is in the top bar."),
        done: (c) => isRelu(c) && c.lr >= 1,
      },
      {
        text: N_("Press play and read the diagnostics under the network: the units marked “dead” are greyed out."),
        hint: N_("One big step pushes a unit's weights so far that its input is negative on every training point."),
        done: (c, s) => isRelu(c) && deadUnits(s) > 0 && (s?.diagnostics ?? []).length > 0,
      },
    ],
  },
  {
    name: "vanishing",
    title: N_("Vanishing gradients"),
    about: N_("A sigmoid's derivative is at most 0.25, so the gradient shrinks at every sigmoid layer on its way back: the first layers of a deep sigmoid network hardly learn."),
    start: { dataset: "circle", hidden: [6, 6, 6, 6, 6, 6], activation: "sigmoid", lr: 0.1 },
    steps: [
      {
        text: N_("Press play and train six sigmoid layers for 50 epochs: the loss stays near 0.69 and the gradient bars of the first layers are empty."),
        hint: N_("0.69 is ln 2: the network still guesses one half everywhere."),
        done: (c, s) => c.activation === "sigmoid" && !c.batchnorm && epoch(s) >= 50,
      },
      {
        text: N_("Fix it: switch the activation to ReLU, or turn on BatchNorm in the Advanced panel."),
        hint: N_("ReLU's derivative is 1 where it is active; BatchNorm keeps every layer's inputs where the sigmoid is steep."),
        done: (c) => isRelu(c) || c.batchnorm,
      },
      {
        text: N_("Keep six hidden layers and press play: goal, a test loss below 0.2."),
        hint: N_("With ReLU it takes a few epochs; with BatchNorm about 50."),
        done: (c, s) => (isRelu(c) || c.batchnorm) && c.hidden.length >= 6 && loss(s) < 0.2,
      },
    ],
  },
  {
    name: "init",
    title: N_("Weight initialisation"),
    about: N_("Where the weights start decides whether a network can learn at all: all zeros never breaks the symmetry, tiny weights stall a ReLU network, too large ones blow the loss up and kill units, He initialisation keeps the signal's size through the layers."),
    start: { dataset: "circle", hidden: [4, 4], activation: "relu", lr: 0.03, init: "zeros" },
    steps: [
      {
        text: N_("The weights start at zero. Press play for 50 epochs: every unit of a layer gets the same gradient, and nothing is learned."),
        hint: N_("The initialiser is in the Advanced panel."),
        done: (c, s) => c.init === "zeros" && epoch(s) >= 50,
      },
      {
        text: N_("Now choose the normal initialiser (standard deviation 0.01, the course's randn·0.01) and train 50 epochs: too small, the signal dies out."),
        hint: N_("Changing the initialiser gives a new network: press play again."),
        done: (c, s) => c.init === "normal" && epoch(s) >= 50,
      },
      {
        text: N_("Now too large: choose Kaiming uniform (He) with the weight scale ×10 and train 50 epochs. The loss starts above 100 (a guess of one half is ln 2 ≈ 0.69), the first huge steps kill ReLU units, and the loss sticks near 0.7."),
        hint: N_("The weight scale is beside the initialiser; the diagnostics under the network name the dead units."),
        done: (c, s) => c.init.startsWith("kaiming") && c.init_scale >= 10 && epoch(s) >= 50,
      },
      {
        text: N_("Set the weight scale back to 1, keep He (Kaiming) initialisation and press play: goal, a test loss below 0.1."),
        hint: N_("He initialisation draws weights with variance 2/fan-in, the right size for ReLU."),
        done: (c, s) => c.init.startsWith("kaiming") && c.init_scale === 1 && isRelu(c) && loss(s) < 0.1,
      },
    ],
  },
  {
    name: "hidden_units",
    title: N_("How many hidden units?"),
    about: N_("The planar experiment of the notes: one hidden layer of 1, 2, 3, 4 tanh units on the circle. Each unit adds one straight cut to the boundary."),
    start: { dataset: "circle", hidden: [1], activation: "tanh", lr: 0.1 },
    steps: [
      {
        text: N_("One hidden unit: press play for 100 epochs. One straight cut cannot enclose a circle."),
        hint: N_("The accuracy stays near 0.6."),
        done: (c, s) => c.hidden.length === 1 && c.hidden[0] === 1 && epoch(s) >= 100,
      },
      {
        text: N_("Two hidden units: add a neuron to the layer and train 100 epochs. Two cuts make a band, still not a circle."),
        hint: N_("The + above the hidden layer adds a neuron."),
        done: (c, s) => c.hidden.length === 1 && c.hidden[0] === 2 && epoch(s) >= 100,
      },
      {
        text: N_("Three or four hidden units: goal, a test loss below 0.1 with a single hidden layer."),
        hint: N_("Three cuts make a triangle around the blue points; more units round it off."),
        done: (c, s) => c.hidden.length === 1 && c.hidden[0] >= 3 && loss(s) < 0.1,
      },
    ],
  },
];

export function findLesson(name) {
  return LESSONS.find((l) => l.name === name) ?? null;
}
