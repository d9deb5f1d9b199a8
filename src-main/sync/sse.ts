/**
 * A Server-Sent Events parser (WHATWG HTML "event stream interpretation"). The console reads /sync/events
 * with fetch, because EventSource cannot send an Authorization header, so it parses the stream itself.
 */
export interface SseEvent {
  /** `event:` field, 'message' when absent. */
  event: string;
  data: string;
  /** Last event id seen on the stream so far ('' when none). */
  id: string;
}

export class SseParser {
  private buffer = '';
  private skipLeadingLf = false;
  private started = false;
  private data = '';
  private hasData = false;
  private eventType = '';
  private lastId = '';
  /** Server-suggested reconnection delay (`retry:` field), if any. */
  retryMs: number | null = null;

  /**
   * @param onEvent receives each dispatched event
   * @param maxLineChars bound on one unterminated line, so a hostile or broken server cannot grow memory forever
   */
  constructor(
    private readonly onEvent: (event: SseEvent) => void,
    private readonly maxLineChars = 1 << 20,
  ) {}

  /** Feed decoded text (use a streaming TextDecoder so multi-byte characters split across chunks survive). */
  feed(chunk: string): void {
    let text = chunk;
    if (!this.started && text.length > 0) {
      this.started = true;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    if (this.skipLeadingLf && text.startsWith('\n')) text = text.slice(1);
    this.skipLeadingLf = false;
    let start = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c !== 10 && c !== 13) continue;
      const line = this.buffer + text.slice(start, i);
      this.buffer = '';
      if (c === 13) {
        // CRLF is one line end; the LF may arrive in the next chunk.
        if (i + 1 < text.length) {
          if (text.charCodeAt(i + 1) === 10) i++;
        } else {
          this.skipLeadingLf = true;
        }
      }
      start = i + 1;
      this.line(line);
    }
    this.buffer += text.slice(start);
    if (this.buffer.length > this.maxLineChars) {
      this.buffer = '';
      throw new Error('Event stream line too long');
    }
  }

  private line(line: string): void {
    if (line === '') {
      this.dispatch();
      return;
    }
    if (line.startsWith(':')) return; // comment / keep-alive
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    switch (field) {
      case 'event':
        this.eventType = value;
        break;
      case 'data':
        this.data += value + '\n';
        this.hasData = true;
        break;
      case 'id':
        if (!value.includes('\0')) this.lastId = value;
        break;
      case 'retry':
        if (/^\d+$/.test(value)) this.retryMs = Number(value);
        break;
      default:
        break; // unknown fields are ignored, as the spec says
    }
  }

  private dispatch(): void {
    const type = this.eventType;
    this.eventType = '';
    if (!this.hasData) return;
    const data = this.data.slice(0, -1);
    this.data = '';
    this.hasData = false;
    this.onEvent({ event: type === '' ? 'message' : type, data, id: this.lastId });
  }
}
