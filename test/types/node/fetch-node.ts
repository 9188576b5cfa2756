// The Node-only subpaths' byte outputs are BodyInit too (compiled with lib dom and Node's types).
import { type Emulator, planBytes } from 'batchwire/emulator';
import type { FuzzCase } from 'batchwire/fuzz';

export async function emulatorBytes(emulator: Emulator): Promise<void> {
  emulator.use(async (request, next) => {
    new Response(await request.bytes());
    const plan = await next();
    new Response(await planBytes(plan.body));
    return plan;
  });
}

export function caseFiles(found: FuzzCase): void {
  for (const bytes of Object.values(found.files)) new Response(bytes);
}
