// Golden point-cloud operations: clouds and their formats, mapping ops, compute ops.
export * from './cloud.ts';
export * from './mapping.ts';
export * from './compute.ts';
