export * from './codes.ts';
export * from './diagnostic.ts';
export * from './errors.ts';
export * from './exit-codes.ts';
export * from './format.ts';
export * from './unknown-name.ts';
