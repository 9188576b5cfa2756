// The class lives in core/service-error.ts: the BatchwireError union (core) names its type.
export { BatchwireServiceError } from '../core/service-error.js';
