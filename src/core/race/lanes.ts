// The race's one lane limit (DESIGN §6b: 1–4 students in one worker, stepped in lockstep), shared by the link's
// `?lanes=`, the worker's race rules and the store's lane-add.

/** At most this many lanes in a race. */
export const MAX_LANES = 4;
