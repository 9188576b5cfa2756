/**
 * fast-check arbitraries for every batchwire format: valid payloads, and near-valid broken ones
 * labelled with what was broken. fast-check is an optional peer dependency of this subpath only.
 *
 * @packageDocumentation
 */
/** The fast-check instance these arbitraries are built with: sample and assert with this one. */
export { default as fc } from 'fast-check';
export * from './faults.js';
export * from './generic.js';
export * from './mutate.js';
export * from './odata.js';
export * from './samples.js';
export * from './soap.js';
export * from './status.js';
