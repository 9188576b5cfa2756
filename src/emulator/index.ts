/**
 * A loopback emulator of the HPC Pack SOA Web API, Azure Batch (jobs, tasks, pools, compute
 * nodes, job preparation/release status) and Huawei DLI batch jobs, with format-aware fault
 * injection: cut a generic stream inside a separator, answer `ServerBusy` with `Retry-After`,
 * reset a socket mid-body. Node only (built on `node:http`); no codec subpath loads it.
 *
 * @packageDocumentation
 */
export { BatchwireError, type BatchwireErrorCode, isBatchwireError } from '../core/batchwire-error.js';
export { SERVICE_IDS, type ServiceId } from '../core/services.js';
export type {
  AzureBatchAuth,
  DliAuth,
  EmulatorAuthOptions,
  EmulatorSecret,
  HpcPackAuth,
} from './auth.js';
export type { AzureBatchEmulator, AzureBatchEmulatorOptions } from './azure-batch.js';
export type { EmulatorClock } from './clock.js';
export type { DliEmulator, DliEmulatorOptions, DliState } from './dli.js';
export {
  createEmulator,
  type Emulator,
  type EmulatorFaults,
  type EmulatorJournal,
  type EmulatorOptions,
  type HandledRequest,
  type InterceptedRequest,
  type Interceptor,
  planBytes,
} from './emulator.js';
export { type FaultPair, HPC_CODES } from './fault-bodies.js';
export {
  type CutPosition,
  type FaultAction,
  type FaultMatch,
  type FaultRule,
  type FaultRuleState,
  parseFaultSpec,
  validateFaultRule,
} from './faults.js';
export {
  defaultFixture,
  type EmulatorFixture,
  type FixtureJob,
  type FixturePool,
  type RestObject,
  validateFixture,
} from './fixture.js';
export {
  echoService,
  GENERIC_REPLY_ACTION,
  GENERIC_REQUEST_ACTION,
  HPC_API_VERSIONS,
  type HpcBatchInfo,
  type HpcPackEmulator,
  type HpcPackEmulatorOptions,
  type HpcService,
  type HpcServiceFault,
  type HpcServiceRequest,
  type HpcServiceResult,
  type HpcSessionInfo,
} from './hpc-pack.js';
export type { JournalEntry, JournalFault } from './journal.js';
export { EMULATED_OPERATIONS } from './operations.js';
export type {
  EmulatorRequest,
  GenericPlanRecord,
  ParsedRequest,
  PlanBody,
  ResponsePlan,
  ServiceName,
} from './plan.js';
export { isLoopbackHost, startEmulator } from './server.js';
