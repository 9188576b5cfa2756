// The fault types live in core/service-fault.ts (the BatchwireError union names them).
export type {
  FaultResponse,
  FaultService,
  FaultValue,
  ParseFaultOptions,
  ServiceFault,
} from '../core/service-fault.js';
