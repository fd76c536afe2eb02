/**
 * The effective policy of a call (global → product → API → operation, `<base />` and fragments expanded), computed
 * from the rendered repository. Below both lint and the gateway: one composition for what is checked and what runs.
 */
export * from './effective';
export * from './policy-files';
export * from './build';
export * from './print';
