// "did you mean" suggestions for the language's diagnostics; one implementation with the CLI's.
export { closest, editDistance } from '../util/suggest.ts';
