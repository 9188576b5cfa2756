// The three services batchwire speaks, by the one id each has everywhere: the CLI, fault rules,
// the emulator's journal and routes, the fuzz runner and parseFault's `service`.

/** The service ids, as the CLI, fault rules, the journal and the fuzz runner spell them. */
export const SERVICE_IDS = Object.freeze(['hpc-pack', 'azure-batch', 'dli'] as const);

/** One of {@link SERVICE_IDS}. */
export type ServiceId = (typeof SERVICE_IDS)[number];

/**
 * Older spellings still read where a service is named in data (fault rules, fixtures): the
 * emulator's first releases used the `batchwire/requests` namespace names.
 */
export const SERVICE_ALIASES: Readonly<Record<string, ServiceId>> = Object.freeze({
  hpcPack: 'hpc-pack',
  azureBatch: 'azure-batch',
});

/** The service id `text` names (an id or an alias), or `undefined`. */
export function serviceIdOf(text: unknown): ServiceId | undefined {
  if (typeof text !== 'string') return undefined;
  if ((SERVICE_IDS as readonly string[]).includes(text)) return text as ServiceId;
  return Object.hasOwn(SERVICE_ALIASES, text) ? SERVICE_ALIASES[text] : undefined;
}
