// The encodings of the top module's state machines, shared by the builders that drive and test
// them (the sequencer's program states and the drain engine's states).

/** The sequencer's states (LOAD is no longer entered: the load engine is its own machine, see `lstate`). */
export const STATE = { IDLE: 0, LOAD: 1, COMPUTE: 2, FINISH: 3, DONE: 4 } as const;
/** The drain engine runs beside the sequencer, on the other half of the double-buffered register files. */
export const DRAIN_STATE = { IDLE: 0, WAIT: 1, RUN: 2 } as const;
