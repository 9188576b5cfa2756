import { deepFreeze, schemaIndex } from './schema-index.js';
import type { FilterOperator, FilterPropertySpec, FilterSchema } from './types.js';

const EQ_NE = ['eq', 'ne'] as const satisfies readonly FilterOperator[];
const EQ = ['eq'] as const satisfies readonly FilterOperator[];
const ORDERED = ['eq', 'ne', 'gt', 'ge', 'lt', 'le'] as const satisfies readonly FilterOperator[];
const PREFIXED = [
  'startswith',
  'eq',
  'ne',
  'gt',
  'ge',
  'lt',
  'le',
] as const satisfies readonly FilterOperator[];

const stringEqNe = { type: 'String', operators: EQ_NE } as const satisfies FilterPropertySpec;
const stringEq = { type: 'String', operators: EQ } as const satisfies FilterPropertySpec;
const stringPrefixed = { type: 'String', operators: PREFIXED } as const satisfies FilterPropertySpec;
const dateTime = { type: 'DateTime', operators: ORDERED } as const satisfies FilterPropertySpec;
const int = { type: 'Int', operators: ORDERED } as const satisfies FilterPropertySpec;
const booleanEqNe = { type: 'Boolean', operators: EQ_NE } as const satisfies FilterPropertySpec;

/**
 * Declares a schema and keeps its literal types, so {@link filterFor} can check property names
 * and value types at compile time. Checks its shape now, and returns it as it is (not frozen:
 * a schema changed later is re-read at its next use).
 *
 * @throws {BatchwireError} `INVALID_ARGUMENT` when `schema` is not `{ name, properties }` with
 * each property `{ type: 'String' | 'DateTime' | 'Int' | 'Boolean', operators: [...] }`.
 *
 * @example
 * ```ts
 * const certificates = defineFilterSchema({
 *   name: 'certificates',
 *   properties: { thumbprint: { type: 'String', operators: ['eq', 'ne'] } },
 * });
 * filterFor(certificates).eq('thumbprint', 'ab12'); // "thumbprint eq 'ab12'"
 * ```
 */
export function defineFilterSchema<const S extends FilterSchema>(schema: S): S {
  schemaIndex(schema);
  return schema;
}

/**
 * The filterable properties of the Azure Batch list operations, as the Batch documentation
 * tables give them (`shared/reference/azure-batch.md`): plain data, frozen (so no caller can change
 * them for everyone else), which you can copy and extend:
 * `{ ...schemas.jobs, properties: { ...schemas.jobs.properties, myProp: spec } }`.
 * Keys are the operation names `--schema` accepts on the command line.
 *
 * @example
 * ```ts
 * validateFilter("nodeId eq 'tvm-1' and jobPreparationTaskExecutionInfo/exitCode ne 0",
 *   schemas.jobPreparationAndReleaseTaskStatus); // []
 * schemas.pools.properties.allocationState.operators; // ['eq']
 * ```
 */
export const schemas = Object.freeze({
  /** List Job Preparation and Release Task Status (`GET /jobs/{id}/jobpreparationandreleasetaskstatus`). */
  jobPreparationAndReleaseTaskStatus: deepFreeze({
    name: 'jobPreparationAndReleaseTaskStatus',
    properties: {
      poolId: stringEqNe,
      nodeId: stringEqNe,
      'jobPreparationTaskExecutionInfo/state': stringEqNe,
      'jobPreparationTaskExecutionInfo/result': stringEqNe,
      'jobPreparationTaskExecutionInfo/startTime': dateTime,
      'jobPreparationTaskExecutionInfo/endTime': dateTime,
      'jobPreparationTaskExecutionInfo/exitCode': int,
      'jobReleaseTaskExecutionInfo/state': stringEqNe,
      'jobReleaseTaskExecutionInfo/result': stringEqNe,
      'jobReleaseTaskExecutionInfo/startTime': dateTime,
      'jobReleaseTaskExecutionInfo/endTime': dateTime,
      'jobReleaseTaskExecutionInfo/exitCode': int,
    },
  }),
  /** List Jobs (`GET /jobs`). */
  jobs: deepFreeze({
    name: 'jobs',
    properties: {
      id: stringPrefixed,
      state: stringEqNe,
      stateTransitionTime: dateTime,
      creationTime: dateTime,
      lastModified: dateTime,
      'executionInfo/startTime': dateTime,
      'executionInfo/endTime': dateTime,
      'executionInfo/poolId': stringPrefixed,
    },
  }),
  /** List Tasks (`GET /jobs/{id}/tasks`). */
  tasks: deepFreeze({
    name: 'tasks',
    properties: {
      id: stringPrefixed,
      state: stringEqNe,
      'executionInfo/result': stringEqNe,
      stateTransitionTime: dateTime,
      creationTime: dateTime,
      lastModifiedTime: dateTime,
      'executionInfo/startTime': dateTime,
      'executionInfo/endTime': dateTime,
      'executionInfo/exitCode': int,
    },
  }),
  /** List Pools (`GET /pools`). */
  pools: deepFreeze({
    name: 'pools',
    properties: {
      id: stringPrefixed,
      state: stringEqNe,
      vmSize: stringEqNe,
      allocationState: stringEq,
      stateTransitionTime: dateTime,
      allocationStateTransitionTime: dateTime,
      creationTime: dateTime,
      lastModified: dateTime,
      enableAutoScale: booleanEqNe,
      enableInterNodeCommunication: booleanEqNe,
    },
  }),
  /** List Compute Nodes (`GET /pools/{id}/nodes`). */
  computeNodes: deepFreeze({
    name: 'computeNodes',
    properties: {
      state: stringEqNe,
      stateTransitionTime: dateTime,
      lastBootTime: dateTime,
      allocationTime: dateTime,
      'startTaskInfo/startTime': dateTime,
      'startTaskInfo/endTime': dateTime,
      'startTaskInfo/state': stringEq,
      'startTaskInfo/result': stringEqNe,
      'startTaskInfo/exitCode': int,
    },
  }),
} as const);

/** The names of the built-in schemas. */
export type SchemaName = keyof typeof schemas;
