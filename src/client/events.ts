import { normalizeTags } from '../core/normalize.js';
import { toSeconds } from '../core/window.js';
import type { EventOptions } from '../types.js';

/** Events waiting for the next flush; past this many the oldest are dropped (counted). */
export const MAX_QUEUED_EVENTS = 1000;
// Datadog's documented limits (API v1 events): title 100 characters, text 4000, aggregation_key 100. A host
// name longer than 255 is no host name; source_type_name has no documented limit, 100 is ours.
const LIMITS = { title: 100, text: 4000, host: 255, aggregation_key: 100, source_type_name: 100 } as const;
// Datadog's own list (the EventOptions type names the first four).
const ALERT_TYPES = new Set([
  'error',
  'warning',
  'info',
  'success',
  'user_update',
  'recommendation',
  'snapshot',
]);
const PRIORITIES = new Set(['normal', 'low']);
// biome-ignore-start lint/suspicious/noControlCharactersInRegex: matching them is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;
const CONTROL_BUT_NEWLINE_TAB = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;
const LINE_BREAK = /[\t\n\r]/g;
// biome-ignore-end lint/suspicious/noControlCharactersInRegex: matching them is the point
// In a `u` regex a well-formed pair is one code point: only lone surrogates match.
const LONE_SURROGATE = /\p{Surrogate}/gu;

export type EventField = keyof typeof LIMITS | 'alert_type' | 'priority';

/**
 * What {@link eventBody} changed in a field: `truncated` (cut to its limit), `cleaned` (control characters
 * stripped, lone surrogates replaced with U+FFFD), `unknown` (not an accepted value: the default was sent),
 * `not a string` (ignored: the default was sent, or the field left out).
 */
export interface EventProblem {
  field: EventField;
  problem: 'truncated' | 'cleaned' | 'unknown' | 'not a string';
}

/** Cuts at most `max` UTF-16 units without splitting a surrogate pair. */
function cut(text: string, max: number): string {
  if (text.length <= max) return text;
  const code = text.charCodeAt(max - 1);
  return text.slice(0, code >= 0xd800 && code <= 0xdbff ? max - 1 : max);
}

/**
 * Control characters out (text keeps newlines and tabs, a title turns them into spaces), lone surrogates
 * replaced, cut at the field's limit.
 */
function clean(raw: string, field: keyof typeof LIMITS, report: (p: EventProblem) => void): string {
  const max = LIMITS[field];
  // Only a prefix can survive the cut: a 10 MB string costs no more than a short one.
  const prefix = cut(raw, max * 4);
  const lines = field === 'title' ? prefix.replace(LINE_BREAK, ' ') : prefix;
  const out = lines
    .replace(field === 'text' ? CONTROL_BUT_NEWLINE_TAB : CONTROL, '')
    .replace(LONE_SURROGATE, '\ufffd');
  if (out !== prefix) report({ field, problem: 'cleaned' });
  if (prefix.length < raw.length || out.length > max) report({ field, problem: 'truncated' });
  return cut(out, max);
}

/**
 * Builds the `/api/v1/events` body of one event, validated the way Datadog does (see {@link EventProblem}).
 * Returns undefined for an unusable title. `report` hears of every field it changed.
 */
export function eventBody(
  title: unknown,
  text: unknown,
  options: EventOptions | undefined,
  constantTags: readonly string[],
  defaultHost: string,
  nowSeconds: number,
  report: (problem: EventProblem) => void = () => {},
): string | undefined {
  if (typeof title !== 'string') return undefined;
  const cleanTitle = clean(title, 'title', report);
  if (cleanTitle.trim() === '') return undefined;
  const o = options ?? {};
  const str = (value: unknown, field: keyof typeof LIMITS): string | undefined => {
    if (typeof value === 'string') return clean(value, field, report);
    if (value !== undefined) report({ field, problem: 'not a string' });
    return undefined;
  };
  const oneOf = (
    value: unknown,
    allowed: ReadonlySet<string>,
    fallback: string,
    field: EventField,
  ): string => {
    if (value === undefined) return fallback;
    if (typeof value === 'string' && allowed.has(value)) return value;
    report({ field, problem: 'unknown' });
    return fallback;
  };
  const when = o.dateHappened === undefined ? undefined : toSeconds(o.dateHappened);
  const body: Record<string, unknown> = {
    title: cleanTitle,
    text: str(text, 'text') ?? '',
    date_happened: Math.floor(when?.seconds ?? nowSeconds),
    alert_type: oneOf(o.alertType, ALERT_TYPES, 'info', 'alert_type'),
    priority: oneOf(o.priority, PRIORITIES, 'normal', 'priority'),
    host: str(o.host, 'host') ?? defaultHost,
    tags: normalizeTags(o.tags, constantTags).tags,
  };
  const aggregationKey = str(o.aggregationKey, 'aggregation_key');
  if (aggregationKey !== undefined) body.aggregation_key = aggregationKey;
  const sourceTypeName = str(o.sourceTypeName, 'source_type_name');
  if (sourceTypeName !== undefined) body.source_type_name = sourceTypeName;
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
