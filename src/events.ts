import { normalizeTags } from './core/normalize.js';
import { toSeconds } from './core/window.js';
import type { EventOptions } from './types.js';

/** Events waiting for the next flush; past this many the oldest are dropped (counted). */
export const MAX_QUEUED_EVENTS = 1000;
// Datadog's documented limits for an event.
const MAX_TITLE = 100;
const MAX_TEXT = 4000;

/** Builds the `/api/v1/events` body of one event. Returns undefined for an unusable title. */
export function eventBody(
  title: unknown,
  text: unknown,
  options: EventOptions | undefined,
  constantTags: readonly string[],
  defaultHost: string,
  nowSeconds: number,
): string | undefined {
  if (typeof title !== 'string' || title.trim() === '') return undefined;
  const when = options?.dateHappened === undefined ? undefined : toSeconds(options.dateHappened);
  const body: Record<string, unknown> = {
    title: title.slice(0, MAX_TITLE),
    text: typeof text === 'string' ? text.slice(0, MAX_TEXT) : '',
    date_happened: Math.floor(when?.seconds ?? nowSeconds),
    alert_type: options?.alertType ?? 'info',
    priority: options?.priority ?? 'normal',
    host: typeof options?.host === 'string' ? options.host : defaultHost,
    tags: normalizeTags(options?.tags, constantTags).tags,
  };
  if (typeof options?.aggregationKey === 'string') body.aggregation_key = options.aggregationKey;
  if (typeof options?.sourceTypeName === 'string') body.source_type_name = options.sourceTypeName;
  return JSON.stringify(body);
}

/** A bounded FIFO of serialized events. */
export class EventQueue {
  private items: string[] = [];
  /** Events dropped because the queue was full. */
  overflow = 0;

  push(body: string): boolean {
    this.items.push(body);
    if (this.items.length <= MAX_QUEUED_EVENTS) return true;
    this.items.shift();
    this.overflow++;
    return false;
  }

  take(): string[] {
    const out = this.items;
    this.items = [];
    return out;
  }

  /** Returns unsent events to the front, ahead of newer ones. */
  putBack(events: string[]): void {
    this.items = events.concat(this.items);
    while (this.items.length > MAX_QUEUED_EVENTS) {
      this.items.shift();
      this.overflow++;
    }
  }

  get size(): number {
    return this.items.length;
  }
}
