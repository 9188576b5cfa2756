// The one table of HPC Pack SOA fault codes (SOAFaultCode in the SOA runtime): the documented
// names and the broker's own codes (shared/reference/hpc-pack-rest-behaviour.md). parseFault names
// codes with it; the emulator raises faults by name from it.

/** The HPC Pack SOA fault codes with a name, by number (as decimal text). */
export const HPC_FAULT_CODES: Readonly<Record<string, string>> = Object.freeze({
  '16777227': 'Broker_EOMRejected',
  '16777240': 'Broker_EOMReject_GetResponse',
  '16777241': 'Broker_EOMReject_EndRequests',
  '16777242': 'Broker_FlushRejected',
  '16777246': 'Broker_EOMReject_NoRequest',
  '33554443': 'Broker_SessionFailure',
  '33554447': 'BrokerNotActive',
  '33554448': 'FailedToSendRequest',
  '33554449': 'FailedToConnectToSessionService',
  '33554450': 'FailedToConnectToBrokerService',
  '50331648': 'InvalidArgument',
  '50331649': 'InvalidSessionId',
  '50331650': 'AuthenticationFailure',
  '50331678': 'Service_NotFound',
  '50331680': 'ServiceVersion_NotFound',
  '50331697': 'NotSupportInprocessBroker',
  '50331700': 'APIVersionIncorrect',
  '50331701': 'AccessDenied',
  '67108867': 'ClientTimeout',
  '251658240': 'UnknownError',
  '251723775': 'ArgumentError',
});

/** The same table by name: `HPC_FAULT_NUMBERS.BrokerNotActive` is 33554447. */
export const HPC_FAULT_NUMBERS: Readonly<Record<string, number>> = Object.freeze(
  Object.fromEntries(Object.entries(HPC_FAULT_CODES).map(([code, name]) => [name, Number(code)])),
);
