/**
 * Server-Sent Events parsing for the poke stream (WHATWG HTML "event stream interpretation"), done by the
 * maintained `eventsource-parser` (STANDARDS: a library where ours adds nothing). The console reads
 * /sync/events with fetch, because EventSource cannot send an Authorization header, and feeds the decoded text
 * here. This wrapper only keeps the console's shape of an event (type defaulting to 'message', the last event
 * id carried forward), the server's retry hint, and a bound on one unterminated line so a hostile or broken
 * server cannot grow memory forever.
 */
import { type EventSourceMessage, createParser } from 'eventsource-parser';

export interface SseEvent {
  /** `event:` field, 'message' when absent. */
  event: string;
  data: string;
  /** Last event id seen on the stream so far ('' when none). */
  id: string;
}

export class SseParser {
  private readonly parser;
  private lastId = '';
  /** Characters fed since the last line end. */
  private lineChars = 0;
  /** Server-suggested reconnection delay (`retry:` field), if any. */
  retryMs: number | null = null;

  /**
   * @param onEvent receives each dispatched event
   * @param maxLineChars bound on one unterminated line
   */
  constructor(
    private readonly onEvent: (event: SseEvent) => void,
    private readonly maxLineChars = 1 << 20,
  ) {
    this.parser = createParser({
      onEvent: (message: EventSourceMessage) => {
        if (message.id !== undefined && !message.id.includes('\0')) this.lastId = message.id;
        this.onEvent({ event: message.event ?? 'message', data: message.data, id: this.lastId });
      },
      onRetry: (ms: number) => {
        this.retryMs = ms;
      },
    });
  }

  /** Feed decoded text (use a streaming TextDecoder so multi-byte characters split across chunks survive). */
  feed(chunk: string): void {
    const lastEnd = Math.max(chunk.lastIndexOf('\n'), chunk.lastIndexOf('\r'));
    this.lineChars = lastEnd < 0 ? this.lineChars + chunk.length : chunk.length - lastEnd - 1;
    if (this.lineChars > this.maxLineChars) {
      this.parser.reset();
      this.lineChars = 0;
      throw new Error('Event stream line too long');
    }
    this.parser.feed(chunk);
  }
}
