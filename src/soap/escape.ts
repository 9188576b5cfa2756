import { BatchwireError } from '../core/errors.js';

// Characters that need work in text or attribute values: markup, line ends we keep exact, and
// everything XML 1.0 cannot carry (C0 controls, lone surrogates, U+FFFE/U+FFFF).
const NEEDS_ESCAPE = /[&<>"\t\n\r\u0000-\u001f\ud800-\udfff\ufffe\uffff]/;

/**
 * Escapes text for element content or a double-quoted attribute value. `>` is always escaped,
 * so `]]>` never appears; `\r` becomes `&#xD;` (a parser would otherwise turn it into `\n`).
 * Characters XML 1.0 cannot represent at all are an `INVALID_FIELD` error naming `field`.
 */
function escapeXml(value: string, attribute: boolean, field: string): string {
  if (typeof value !== 'string') throw new BatchwireError('INVALID_FIELD', `${field} must be a string`, 0);
  if (!NEEDS_ESCAPE.test(value)) return value;
  let out = '';
  let from = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    let replacement: string;
    if (c === 0x26) replacement = '&amp;';
    else if (c === 0x3c) replacement = '&lt;';
    else if (c === 0x3e) replacement = '&gt;';
    else if (c === 0x22) {
      if (!attribute) continue;
      replacement = '&quot;';
    } else if (c === 0x0d) replacement = '&#xD;';
    else if (c === 0x0a || c === 0x09) {
      // Attribute values are normalised to spaces by parsers; references keep them.
      if (!attribute) continue;
      replacement = c === 0x0a ? '&#xA;' : '&#x9;';
    } else if (c < 0x20 || c === 0xfffe || c === 0xffff) throw unrepresentable(field, value, i);
    else if (c >= 0xd800 && c <= 0xdbff) {
      const d = value.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        i++;
        continue;
      }
      throw unrepresentable(field, value, i);
    } else if (c >= 0xdc00 && c <= 0xdfff) throw unrepresentable(field, value, i);
    else continue;
    out += value.slice(from, i) + replacement;
    from = i + 1;
  }
  return out + value.slice(from);
}

function unrepresentable(field: string, value: string, index: number): BatchwireError {
  const code = value.charCodeAt(index).toString(16).toUpperCase().padStart(4, '0');
  return new BatchwireError(
    'INVALID_FIELD',
    `${field} holds U+${code} at index ${index}, which XML 1.0 cannot represent`,
    index,
  );
}

/** Escapes element text (see {@link escapeXml}). */
export function escapeText(value: string, field = 'a value'): string {
  return escapeXml(value, false, field);
}

/** Escapes a double-quoted attribute value (see {@link escapeXml}). */
export function escapeAttribute(value: string, field = 'an attribute'): string {
  return escapeXml(value, true, field);
}
