// The operations each emulated service serves, by their `batchwire/requests` names: what a fault
// rule's `operation` may name. Each service's route table uses these names (a test holds the two
// together), so adding an operation is a route and a name here.
import type { ServiceId } from '../core/services.js';

/** The operations of each emulated service. */
export const EMULATED_OPERATIONS: Readonly<Record<ServiceId, readonly string[]>> = Object.freeze({
  'hpc-pack': Object.freeze([
    'getClusters',
    'createSession',
    'attachSession',
    'closeSession',
    'sendRequests',
    'getRequestStatus',
    'commitRequests',
    'deleteRequests',
    'getResponses',
  ]),
  'azure-batch': Object.freeze([
    'listJobs',
    'listTasks',
    'listJobPreparationAndReleaseTaskStatus',
    'listPools',
    'listComputeNodes',
  ]),
  dli: Object.freeze(['createBatch', 'listBatches', 'getBatch', 'getBatchState', 'cancelBatch']),
});
