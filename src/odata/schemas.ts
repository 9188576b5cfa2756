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
 * and value types at compile time.
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
  return schema;
}

/**
 * The filterable properties of the Azure Batch list operations, as the Batch documentation
 * tables give them (`shared/reference/azure-batch.md`): plain data, so you can copy and extend them.
 * Keys are the operation names `--schema` accepts on the command line.
 *
 * @example
 * ```ts
 * validateFilter("nodeId eq 'tvm-1' and jobPreparationTaskExecutionInfo/exitCode ne 0",
 *   schemas.jobPreparationAndReleaseTaskStatus); // []
 * schemas.pools.properties.allocationState.operators; // ['eq']
 * ```
 */
export const schemas = {
  /** List Job Preparation and Release Task Status (`GET /jobs/{id}/jobpreparationandreleasetaskstatus`). */
  jobPreparationAndReleaseTaskStatus: defineFilterSchema({
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
  jobs: defineFilterSchema({
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
  tasks: defineFilterSchema({
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
  pools: defineFilterSchema({
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
  computeNodes: defineFilterSchema({
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
} as const;

/** The names of the built-in schemas. */
export type SchemaName = keyof typeof schemas;
