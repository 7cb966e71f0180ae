// The MAESTRO-faithful cost model: data-centric directives over CONV / DSCONV / GEMM layers,
// evaluated exactly as MAESTRO (commit 4eb08d1) does, quirks included.
export * from './types.ts';
export { MaestroAnalysisError } from './errors.ts';
export { evaluateNetwork, activityEnergy, type MaestroLayerResult } from './evaluate.ts';
export { nocDelay, type LevelResult, type TensorCounts } from './engine.ts';
