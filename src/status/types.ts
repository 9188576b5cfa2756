/** The documented states of a DLI batch (Spark) job. */
export type DliBatchStateName = 'starting' | 'running' | 'dead' | 'success' | 'recovering';

/** A DLI `GET /v2.0/{project_id}/batches/{batch_id}/state` answer. */
export interface DliBatchState {
  /** The batch job's id (a UUID), when the body has one. */
  id?: string;
  /** The state, trimmed and lowercased (the docs' own example says `"Success"`). */
  state: DliBatchStateName | (string & {});
  /** The state exactly as the service wrote it. */
  rawState: string;
  /** False for a state the docs do not list; it is kept, not rejected. */
  known: boolean;
  /** True for `success` and `dead`: the job will not change state again. */
  terminal: boolean;
  /** Other fields of the body, in a null-prototype object. */
  extra?: Record<string, unknown>;
}

/** A name/value pair of an Azure Batch task failure (`details`, or `values` in older versions). */
export interface NameValuePair {
  name?: string;
  value?: string;
}

/** Azure Batch `TaskFailureInformation`. */
export interface TaskFailureInfo {
  /** `usererror` or `servererror`. */
  category?: 'usererror' | 'servererror' | (string & {});
  code?: string;
  message?: string;
  /** The error's details (newer API versions). */
  details?: NameValuePair[];
  /** The error's details (older API versions and docs). */
  values?: NameValuePair[];
  /** Fields this version of batchwire does not know, in a null-prototype object. */
  extra?: Record<string, unknown>;
}

/** Azure Batch `TaskContainerExecutionInfo`. */
export interface TaskContainerExecutionInfo {
  containerId?: string;
  state?: string;
  error?: string;
  extra?: Record<string, unknown>;
}

/** Azure Batch `JobReleaseTaskExecutionInfo`. */
export interface JobReleaseTaskExecutionInfo {
  startTime?: Date;
  endTime?: Date;
  state?: 'running' | 'completed' | (string & {});
  taskRootDirectory?: string;
  taskRootDirectoryUrl?: string;
  exitCode?: number;
  containerInfo?: TaskContainerExecutionInfo;
  failureInfo?: TaskFailureInfo;
  result?: 'success' | 'failure' | (string & {});
  /** Not in the release schema, but the old docs' example has it: read when present. */
  retryCount?: number;
  /** Not in the release schema; read when present. */
  lastRetryTime?: Date;
  /** Fields this version of batchwire does not know, in a null-prototype object. */
  extra?: Record<string, unknown>;
}

/** Azure Batch `JobPreparationTaskExecutionInfo` (adds the retry fields to the release shape). */
export interface JobPreparationTaskExecutionInfo extends JobReleaseTaskExecutionInfo {
  retryCount?: number;
  lastRetryTime?: Date;
}

/** One item of List Job Preparation and Release Task Status: one compute node. */
export interface JobPrepReleaseStatus {
  poolId?: string;
  nodeId?: string;
  nodeUrl?: string;
  jobPreparationTaskExecutionInfo?: JobPreparationTaskExecutionInfo;
  jobReleaseTaskExecutionInfo?: JobReleaseTaskExecutionInfo;
  /** Fields this version of batchwire does not know, in a null-prototype object. */
  extra?: Record<string, unknown>;
}

/** One page of List Job Preparation and Release Task Status. */
export interface JobPrepReleaseStatusPage {
  items: JobPrepReleaseStatus[];
  /** `odata.nextLink`: the absolute URL of the next page, opaque. Absent on the last page. */
  nextLink?: string;
  /** `odata.metadata`, when present. */
  metadata?: string;
  /** Other top-level fields, in a null-prototype object. */
  extra?: Record<string, unknown>;
}

/** Options of the status parsers. */
export interface StatusParseOptions {
  /** The response's Content-Type; its charset guides decoding of byte bodies. */
  contentType?: string | undefined;
  /** Largest body, in input units (the name of `DEFAULT_LIMITS.maxBodyBytes`). @defaultValue 4 MiB */
  maxBodyBytes?: number;
  /** @deprecated The old name of `maxBodyBytes`, still read when `maxBodyBytes` is not given. */
  maxBytes?: number;
  /** Deepest nesting of arrays and objects; deeper is `LIMIT_EXCEEDED`. @defaultValue 1000 */
  maxJsonDepth?: number;
  /** Given a fetch `Response`: aborting it stops reading the body, and the promise rejects with its reason. */
  signal?: AbortSignal;
}
