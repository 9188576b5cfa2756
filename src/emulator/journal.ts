import type { ServiceName } from './fault-bodies.js';

/** The fault a journal entry records. */
export interface JournalFault {
  /** The rule's id. */
  rule: number;
  type: 'status' | 'delay' | 'dribble' | 'hang' | 'cut' | 'reset' | 'corrupt';
  /** What it did: `cut at byte 1234 (inside record 2)`, `flipped bytes 3, 91, 240`, ... */
  detail?: string;
}

/**
 * One request as the journal (`GET /_batchwire/journal`) records it. Plain JSON: `time` is an
 * ISO 8601 string on the emulator's clock; `status` is `null` when no status line was sent
 * (a reset before the headers, a hang, a client that went away first).
 */
export interface JournalEntry {
  /** 1, 2, 3... in the order requests arrived. */
  seq: number;
  time: string;
  method: string;
  /** The path as sent, without the query. */
  path: string;
  /** The query string as sent, with its `?`, or `''`. */
  query: string;
  /** The service and operation the request was routed to; `null` when it matched no route. */
  service: ServiceName | null;
  operation: string | null;
  status: number | null;
  /** Request body bytes the emulator read. */
  requestBytes: number;
  /** Response body bytes written (not counting the status line and headers). */
  responseBytes: number;
  durationMs: number;
  /**
   * How the exchange ended: `complete`; `cut` (closed early on purpose); `reset`; `hang` (the
   * client gave up on a hung request); `aborted` (the client went away); `pending` (still going).
   */
  outcome: 'pending' | 'complete' | 'cut' | 'reset' | 'hang' | 'aborted';
  fault: JournalFault | null;
  /** Set when the request matched no route. */
  unmatched?: true;
  /** For an unmatched request: the route that comes closest. */
  closest?: string;
  /** An error code: a malformed request (`HPE_...` from the HTTP parser), or the emulator's own. */
  error?: string;
}

/** The request journal: the most recent `limit` entries, oldest first. */
export class Journal {
  private items: JournalEntry[] = [];
  private seq = 0;
  /** Entries dropped because the journal was full. */
  dropped = 0;

  constructor(private readonly limit: number) {}

  /** Starts an entry; the caller fills in the rest as the exchange goes on. */
  open(entry: Omit<JournalEntry, 'seq'>): JournalEntry {
    const full: JournalEntry = { seq: ++this.seq, ...entry };
    this.items.push(full);
    if (this.items.length > this.limit) {
      const excess = this.items.length - this.limit;
      this.items.splice(0, excess);
      this.dropped += excess;
    }
    return full;
  }

  /** Copies of the entries, oldest first. */
  entries(): JournalEntry[] {
    return this.items.map((e) => ({ ...e, ...(e.fault ? { fault: { ...e.fault } } : {}) }));
  }

  /** Entries still open when the emulator closes: the client never got an answer. */
  settle(): void {
    for (const entry of this.items) if (entry.outcome === 'pending') entry.outcome = 'aborted';
  }

  /** Forgets every entry (sequence numbers go on). */
  clear(): void {
    this.items = [];
    this.dropped = 0;
  }

  /** Forgets everything, sequence numbers included. */
  reset(): void {
    this.clear();
    this.seq = 0;
  }
}
