import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

// readme-example.test.ts is the README's emulator test, run as it is printed there.
describe('README emulator section', () => {
  it('shows readme-example.test.ts exactly', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const example = readFileSync(new URL('./readme-example.test.ts', import.meta.url), 'utf8');
    expect(readme).toContain(`\`\`\`ts\n${example}\`\`\``);
  });
});
